"""Celery tasks of mailbox capture: thin, safe to run twice (one poll at a time, by a database lock)."""

from __future__ import annotations

from celery import shared_task

from capture.services.mailbox import mailbox_poll


@shared_task(name="capture.tasks.poll_mailbox", ignore_result=True)
def poll_mailbox() -> None:
    mailbox_poll()
