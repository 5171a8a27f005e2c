"""Celery tasks: thin, take ids, call a service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from core.queueing import send_task


@shared_task(acks_late=True)
def deliver(delivery_id: int) -> None:
    """One attempt of a delivery; a failed one is tried again later, with a growing delay."""
    from workflow.services.outbound import delivery_attempt

    retry_in = delivery_attempt(delivery_id=delivery_id)
    if retry_in is not None:
        send_task(deliver, delivery_id, countdown=retry_in)


@shared_task(acks_late=True)
def scan_signals() -> int:
    """Daily: date-read playbook triggers (no contact, overdue reviews, re-tenders, rotation)."""
    from workflow.services.scans import signals_scan

    return len(signals_scan())


@shared_task(acks_late=True)
def notify_due_dates() -> int:
    from workflow.services.notify import due_dates_passed

    return due_dates_passed()


@shared_task(acks_late=True)
def send_daily_emails() -> int:
    from workflow.services.notify import daily_email_recipients, daily_email_send

    return sum(daily_email_send(user_id=user_id) for user_id in list(daily_email_recipients()))


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=60, retry_backoff_max=3600, max_retries=48)
def scan_document(version_id: int) -> None:
    """A document stored while the scanner was down gets its scan now (it cannot be downloaded before)."""
    from workflow.services.documents import version_scan

    version_scan(version_id=version_id)
