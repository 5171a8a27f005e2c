"""Celery tasks of the stakeholder app: thin, take ids, safe to run twice."""

from celery import shared_task

from stakeholders import importing, services
from stakeholders.models import ImportStatus

WORK = {ImportStatus.PREVIEWING: importing.import_preview, ImportStatus.IMPORTING: importing.import_execute}


@shared_task
def run_import_job(job_id: int, recheck: bool = True) -> str:
    """Check or import one uploaded file, whichever it is queued for. A second delivery finds it claimed."""
    job = services.import_job_claim(job_id)
    if job is None:
        stale_in = services.import_job_stale_in(job_id)
        if stale_in is None:
            return "nothing to do"
        if recheck:
            # A message redelivered after its worker was killed finds the job still running: look
            # once more when that run counts as lost, and take the job over then.
            run_import_job.apply_async((job_id,), {"recheck": False}, countdown=stale_in + 1)
        return "claimed elsewhere"
    try:
        WORK[job.status](job)
    except Exception:
        services.import_job_fail(job)
        raise
    return job.status


@shared_task
def requeue_waiting_imports() -> int:
    return services.import_jobs_requeue_waiting()
