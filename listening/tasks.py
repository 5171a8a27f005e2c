"""Celery tasks of client listening: ids in, a service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def send_invitations(invitation_ids: list[int]) -> int:
    """One batch of survey emails; a recipient already emailed is skipped, so a retry never resends."""
    from listening.services.surveys import invitations_send

    return invitations_send(invitation_ids=invitation_ids)


@shared_task
def fire_programmes_for_review(review_id: int) -> int:
    from listening.services.programmes import programmes_fire_for_review

    return programmes_fire_for_review(review_id=review_id)


@shared_task
def fire_scheduled_programmes() -> int:
    """Once a day: each scheduled programme's survey to the clients whose period has begun, once each."""
    from listening.services.programmes import programmes_fire_scheduled

    return programmes_fire_scheduled()


@shared_task
def daily_round() -> dict[str, int]:
    """Close surveys past their date and remind, once, those who have not answered."""
    from listening.services.surveys import invitations_remind, surveys_close_due

    return {"closed": surveys_close_due(), "reminded": invitations_remind()}
