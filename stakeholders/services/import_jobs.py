"""Import jobs: keep the uploaded file, queue its check and import, claim a job for one run at a
time, take over a run that was lost, and send again what the broker never delivered."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from accounts.services import audited_write
from core.queueing import send_task, send_task_on_commit
from stakeholders.models import (
    IMPORT_MAX_RUNS,
    RUNNING_STATUSES,
    WAITING_STATUSES,
    ImportJob,
    ImportMode,
    ImportStatus,
    import_stale_after,
)

logger = logging.getLogger(__name__)


def import_job_start(*, actor: User, kind: str, upload: UploadedFile) -> ImportJob:
    """Keep the uploaded file and queue its dry run."""
    name = upload.name or ""
    job = ImportJob(kind=kind, created_by=actor, original_name=name[:255], queued_at=timezone.now())
    job.file.save(name, upload, save=False)
    with audited_write(actor):
        job.save()
        send_task_on_commit(_import_task(), job.pk)
    return job


def import_job_run(*, actor: User, job: ImportJob, mode: str) -> ImportJob:
    """Queue the real import of a checked file, all-or-nothing or only its valid rows."""
    if job.status != ImportStatus.PREVIEWED:
        raise ValidationError({"mode": "This file is not waiting to be imported."})
    if job.error_rows and mode != ImportMode.VALID_ONLY:
        raise ValidationError({"mode": "Some rows have errors: fix the file, or choose to import only the valid rows."})
    with audited_write(actor):
        updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEWED).update(
            status=ImportStatus.IMPORT_QUEUED, mode=mode, queued_at=timezone.now()
        )
        if not updated:
            raise ValidationError({"mode": "This file is already being imported."})
        send_task_on_commit(_import_task(), job.pk)
    job.refresh_from_db()
    return job


def _import_task() -> Any:
    from stakeholders.tasks import run_import_job

    return run_import_job


def _queue(job_id: int) -> bool:
    return send_task(_import_task(), job_id)


RUN_STATUS: dict[str, str] = {
    ImportStatus.PREVIEW_QUEUED: ImportStatus.PREVIEWING,
    ImportStatus.IMPORT_QUEUED: ImportStatus.IMPORTING,
}


def _stalled() -> Q:
    """Checking or importing since before the stale threshold: the run that took it up was lost."""
    return Q(status__in=RUNNING_STATUSES, running_since__lt=timezone.now() - import_stale_after())


def _with_running_since(jobs: QuerySet[ImportJob]) -> QuerySet[ImportJob]:
    # Named like ImportJob.running_since, the same rule computed in SQL.
    return jobs.alias(running_since=Coalesce("claimed_at", "queued_at", "created_at"))  # type: ignore[no-redef]


def import_job_claim(job_id: int) -> ImportJob | None:
    """Take a queued job up for its check or import, under its row lock, so that a second run does
    nothing. Returns the job, now checking or importing, or None when there is nothing to take.

    A job still checking or importing past the stale threshold lost its run (its worker was killed,
    or its machine went away): it is taken over and done again from the start. That is safe: a check
    writes nothing but the job's own outcome, and an import commits its rows together with the job's
    "done", so a lost run left nothing behind. A step whose runs were lost IMPORT_MAX_RUNS times is
    given up instead, in case the file itself is what stops them.
    """
    jobs = _with_running_since(ImportJob.objects.select_for_update(of=("self",)).select_related("created_by"))
    with transaction.atomic():
        job = jobs.filter(Q(status__in=WAITING_STATUSES) | _stalled(), pk=job_id).first()
        if job is None:
            return None
        if job.status in RUNNING_STATUSES:
            logger.warning(
                "Import job %s: its run (taken up at %s) was lost; %s",
                job.pk,
                job.running_since,
                "giving up" if job.runs >= IMPORT_MAX_RUNS else "taking it over",
            )
            if job.runs >= IMPORT_MAX_RUNS:
                step = "check" if job.status == ImportStatus.PREVIEWING else "import"
                job.status, job.finished_at = ImportStatus.FAILED, timezone.now()
                job.message = (
                    f"The {step} was started {job.runs} times and each time stopped before it "
                    "finished, so it was given up; nothing was written. Try a smaller file, or ask "
                    "an administrator."
                )
                job.save(update_fields=["status", "message", "finished_at"])
                job.discard_file_on_commit()
                return None
            job.runs += 1
        else:
            job.status, job.runs = RUN_STATUS[job.status], 1
        job.claimed_at = timezone.now()
        job.save(update_fields=["status", "claimed_at", "runs"])
    if job.runs > 1:
        from stakeholders.importing import progress_key

        cache.delete(progress_key(job.pk))  # the lost run's progress
    return job


def import_job_stale_in(job_id: int) -> float | None:
    """Seconds until the run that has the job counts as lost; None when no run has it."""
    job = ImportJob.objects.filter(pk=job_id, status__in=RUNNING_STATUSES).first()
    if job is None:
        return None
    return max(0.0, (job.running_since + import_stale_after() - timezone.now()).total_seconds())


def import_job_fail(job: ImportJob) -> None:
    """Mark failed a job whose run stopped on an unexpected error, unless another run took it over."""
    with transaction.atomic():
        failed = ImportJob.objects.filter(pk=job.pk, status=job.status, claimed_at=job.claimed_at).update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            message="The import stopped on an unexpected error; nothing was written.",
        )
        if failed:
            job.discard_file_on_commit()


def import_jobs_requeue_waiting(*, older_than_seconds: int = 120) -> int:
    """Send again the jobs still waiting after a while (e.g. queued while the broker was down), and
    the ones still checking or importing past the stale threshold (their run was lost).

    A job that was delivered after all is claimed by its first run; the later ones find it
    claimed and do nothing, so a file is never checked or imported twice. A lost run is taken over
    by the run its new message gets.
    """
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    waiting = Q(status__in=WAITING_STATUSES) & (
        Q(queued_at__lt=cutoff) | Q(queued_at__isnull=True, created_at__lt=cutoff)
    )
    jobs = _with_running_since(ImportJob.objects.all())
    resend = jobs.filter(waiting | _stalled()).order_by("pk").values_list("pk", flat=True)
    return sum(_queue(pk) for pk in resend)
