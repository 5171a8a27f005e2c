"""How client listening reacts to other apps: a completed follow-up action, a stakeholder's erasure
or export, and a held client review (programmes)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.utils import timezone


def connect() -> None:
    from health import measures
    from listening.selectors import open_critical_incident_counts
    from planning.models import Action, ClientReview
    from stakeholders import privacy

    measures.register(("open_incidents",), open_critical_incident_counts, {"open_incidents": 0.0})
    post_save.connect(action_saved, sender=Action, dispatch_uid="listening-action-done")
    post_save.connect(review_saved, sender=ClientReview, dispatch_uid="listening-review-held")
    privacy.personal_data_erased.connect(stakeholder_erased, dispatch_uid="listening-erasure")
    privacy.personal_data_collected.connect(stakeholder_collected, dispatch_uid="listening-export")


def action_saved(sender: type, instance: Any, **kwargs: Any) -> None:
    """A follow-up action marked done elsewhere (the partner home, the plan) closes its follow-up."""
    from listening.models import FollowUp
    from planning.models import ActionStatus

    if instance.status == ActionStatus.DONE:
        FollowUp.objects.filter(action_id=instance.pk, closed_at__isnull=True).update(closed_at=timezone.now())


def review_saved(sender: type, instance: Any, **kwargs: Any) -> None:
    if instance.held_date is not None:
        from core.queueing import send_task_on_commit
        from listening.tasks import fire_programmes_for_review

        send_task_on_commit(fire_programmes_for_review, instance.pk)


def stakeholder_erased(sender: type, stakeholder: Any, **kwargs: Any) -> None:
    from listening.services.privacy import responses_erase

    responses_erase(stakeholder_id=stakeholder.pk)


def stakeholder_collected(sender: type, stakeholder: Any, **kwargs: Any) -> dict[str, Any]:
    from listening.services.privacy import responses_export

    return {"survey_responses": responses_export(stakeholder_id=stakeholder.pk)}
