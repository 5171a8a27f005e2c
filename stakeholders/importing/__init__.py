"""CSV import of stakeholders and interactions: a dry run that lists row errors, then an import that is
all-or-nothing or (when the user says so) only the valid rows. Rows match existing records by external id,
else by natural key, so importing the same file twice changes nothing the second time."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.services import audited_write
from core.statistics import tables_analyze
from stakeholders.importing.interaction_rows import plan_interactions, write_interactions
from stakeholders.importing.rows import ImportFileError, Outcome, progress_key
from stakeholders.importing.stakeholder_rows import plan_stakeholders, write_stakeholders
from stakeholders.models import (
    ImportJob,
    ImportKind,
    ImportMode,
    ImportStatus,
    Interaction,
    Relationship,
    Stakeholder,
)

__all__ = ["ImportFileError", "import_execute", "import_preview", "progress_key"]

PLANNERS = {
    ImportKind.STAKEHOLDERS: (plan_stakeholders, write_stakeholders),
    ImportKind.INTERACTIONS: (plan_interactions, write_interactions),
}


def _still_mine(job: ImportJob) -> bool:
    """Lock the job's row, in the open transaction, if this run still has it (no other run took it over)."""
    return (
        ImportJob.objects.select_for_update().filter(pk=job.pk, status=job.status, claimed_at=job.claimed_at).exists()
    )


def _save(job: ImportJob, outcome: Outcome, status: str, message: str = "") -> None:
    with transaction.atomic():
        if not _still_mine(job):  # another run took the job over meanwhile: its outcome stands
            return
        for name in [
            "rows_total",
            "valid_rows",
            "error_rows",
            "created",
            "updated",
            "unchanged",
            "skipped",
            "changed_meanwhile",
            "errors",
        ]:
            setattr(job, name, getattr(outcome, name))
        job.rows_done = outcome.rows_total
        job.status = status
        job.message = message
        ended = status in {ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED}
        job.finished_at = timezone.now() if ended else None
        job.save()
        if ended:
            job.discard_file_on_commit()
    cache.delete(progress_key(job.pk))


def import_preview(job: ImportJob) -> ImportJob:
    """The dry run: every row checked against the file and the database, nothing written."""
    plan, _ = PLANNERS[job.kind]
    outcome = Outcome()
    try:
        planned, bad_rows = plan(job, outcome)
    except ImportFileError as error:
        _save(job, outcome, ImportStatus.FAILED, str(error))
        return job
    outcome.error_rows = len(bad_rows)
    outcome.valid_rows = len(planned)
    _save(job, outcome, ImportStatus.PREVIEWED)
    return job


def import_execute(job: ImportJob) -> ImportJob:
    """Check again (the data may have moved since the preview) and write, in one transaction."""
    plan, write = PLANNERS[job.kind]
    outcome = Outcome()
    try:
        planned, bad_rows = plan(job, outcome)
    except ImportFileError as error:
        _save(job, outcome, ImportStatus.FAILED, str(error))
        return job
    outcome.error_rows = len(bad_rows)
    outcome.valid_rows = len(planned)
    if bad_rows and job.mode != ImportMode.VALID_ONLY:
        outcome.skipped += len(planned)
        _save(
            job,
            outcome,
            ImportStatus.REFUSED,
            f"{len(bad_rows)} row(s) have errors, so nothing was imported. Fix them, or choose to import "
            "only the valid rows.",
        )
        return job
    # The rows and the job's "done" commit together: a worker killed in between leaves neither, so
    # the run that takes the job over starts afresh. The job's row stays locked until then.
    with audited_write(job.created_by):
        if not _still_mine(job):
            return job
        write(job, planned, outcome)
        outcome.skipped += len(bad_rows)
        _save(job, outcome, ImportStatus.DONE)
    tables_analyze(Stakeholder, Relationship, Interaction)
    return job
