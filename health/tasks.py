"""Celery tasks: thin, take ids, call a service, safe to run twice."""

import datetime

from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError

from health.services import jobs

DB_ERRORS = (OperationalError, InterfaceError, DatabaseError)


@shared_task(acks_late=True, autoretry_for=DB_ERRORS, retry_backoff=True, max_retries=5)
def run_recompute_job(job_id: int, recheck: bool = True) -> None:
    job = jobs.recompute_job_run(job_id=job_id)
    if job is None and recheck and jobs.recompute_job_unfinished(job_id):
        # Another session holds the job. When that is a killed worker's session still finishing
        # its last query, the lock goes with it shortly: look once more then, and resume the job.
        run_recompute_job.apply_async((job_id,), {"recheck": False}, countdown=jobs.BUSY_RECHECK_SECONDS)


@shared_task(acks_late=True, autoretry_for=DB_ERRORS, retry_backoff=True, max_retries=5)
def recompute_pending() -> int:
    """Recompute every client whose data changed since the last run (a burst of edits: one run)."""
    return jobs.pending_recompute_run()


@shared_task(acks_late=True, autoretry_for=DB_ERRORS, retry_backoff=True, max_retries=5)
def nightly_recompute(as_of: str | None = None) -> int:
    job = jobs.recompute_job_create(
        as_of=datetime.date.fromisoformat(as_of) if as_of else None, reason="Nightly recompute"
    )
    return job.pk
