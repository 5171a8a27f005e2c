"""Celery tasks of the stakeholder app: thin, take ids, safe to run twice."""

from celery import shared_task

from stakeholders import importing, services
from stakeholders.models import ImportJob, ImportStatus

CLAIMS = {
    ImportStatus.PREVIEW_QUEUED: (ImportStatus.PREVIEWING, importing.import_preview),
    ImportStatus.IMPORT_QUEUED: (ImportStatus.IMPORTING, importing.import_execute),
}


@shared_task
def run_import_job(job_id: int) -> str:
    """Check or import one uploaded file, whichever it is queued for. A second delivery finds it claimed."""
    job = ImportJob.objects.filter(pk=job_id).only("status").first()
    if job is None or job.status not in CLAIMS:
        return "nothing to do"
    running, work = CLAIMS[job.status]
    claimed = ImportJob.objects.filter(pk=job_id, status=job.status).update(status=running)
    if not claimed:
        return "claimed elsewhere"
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        work(job)
    except Exception:
        ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.FAILED,
                                                   message="The import stopped on an unexpected error; "
                                                           "nothing was written.")
        raise
    return job.status


@shared_task
def requeue_waiting_imports() -> int:
    return services.import_jobs_requeue_waiting()
