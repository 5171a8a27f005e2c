"""Queue Celery work without letting a broker outage break the request that asked for it.

The work's own database row (a report, an import job, a pending recompute) is the record that it
must happen; the message is only a nudge. If the broker is down the row stays queued, the user is
told it will run later, and a periodic sweep sends the nudge again once the broker is back.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def send_task(task: Any, *args: Any, countdown: float | None = None, **kwargs: Any) -> bool:
    """Send now (to run `countdown` seconds later if given); False (and a warning) when the broker
    cannot be reached, or when an eager run fails: the caller's own work is never undone by it."""
    try:
        # Celery's default publish retries (three, under a second in all) re-open a pooled
        # connection that died with the broker, without keeping the user waiting long.
        if countdown is None:
            task.delay(*args, **kwargs)
        else:
            task.apply_async(args, kwargs, countdown=countdown)
    except Exception as exc:  # kombu/redis raise several connection error types
        logger.warning("Could not queue %s%r (%s); it stays queued and will be sent again later.", task.name, args, exc)
        return False
    return True


def send_task_on_commit(task: Any, *args: Any, countdown: float | None = None, **kwargs: Any) -> None:
    """Send once the surrounding transaction commits, so the task reads the rows it was queued for;
    nothing is sent if it rolls back."""
    transaction.on_commit(lambda: send_task(task, *args, countdown=countdown, **kwargs))
