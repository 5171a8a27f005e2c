"""Celery tasks of the dashboards: thin, id-based, safe to run twice.

Their names predate this module and are kept: queued messages and the beat schedule hold them."""

from celery import shared_task

from reports.dashboard import pages
from reports.dashboard.digest import digest_recipient_ids, digest_send


@shared_task(name="reports.tasks.refresh_shared_figures")
def refresh_shared_figures() -> list[str]:
    return pages.shared_figures_refresh()


@shared_task(name="reports.send_weekly_digests")
def send_weekly_digests() -> int:
    """Queue one digest per opted-in user; each send claims its week, so re-runs send nothing."""
    ids = digest_recipient_ids()
    for user_id in ids:
        send_user_digest.delay(user_id)
    return len(ids)


@shared_task(name="reports.send_user_digest", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def send_user_digest(user_id: int) -> bool:
    return digest_send(user_id=user_id)
