"""Background recomputes: the resumable recompute-all job and the debounced per-client queue."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import User
from core.leases import lease_holder_name, lease_release, lease_renew, lease_take
from core.queueing import send_task_on_commit
from core.statistics import tables_analyze
from health.models import HealthScore, JobStatus, RecomputeJob, Scorecard
from health.services.recompute import batch_size, load_scorecard, recompute_batch, scored_client_ids

log = logging.getLogger(__name__)

PENDING_CLAIM_LIMIT = 5_000
# A job found held by another worker is looked at once more after this many seconds: longer than a
# lease, so a killed worker's job is resumed then.
BUSY_RECHECK_SECONDS = 60


def recompute_job_create(
    *,
    as_of: datetime.date | None = None,
    reason: str,
    scorecard: Scorecard | None = None,
    actor: User | None = None,
) -> RecomputeJob:
    """Record a recompute-all and queue it once the surrounding transaction commits."""
    from health.tasks import run_recompute_job

    job = RecomputeJob.objects.create(
        as_of=as_of or timezone.localdate(), reason=reason, scorecard=scorecard, requested_by=actor
    )
    send_task_on_commit(run_recompute_job, job.pk)
    return job


class JobTakenOver(Exception):
    """Another worker took the job over (this one stalled past its lease): stop, it carries on."""


def lease_seconds() -> int:
    """How long a job's worker may go between two transactions before another may take the job over.
    A batch in progress keeps the job's row locked, so it may take longer than this."""
    return getattr(settings, "HEALTH_JOB_LEASE_SECONDS", 30)


def recompute_job_run(*, job_id: int) -> RecomputeJob | None:
    """Run (or resume) a job if no other worker holds it; None when one does. Safe to call twice: a
    finished job is left be.

    The worker holds the job by a lease (core.leases), renewed with every batch; a killed worker's
    lease runs out and the job can be resumed. Each batch commits with the job's progress, so a job
    killed midway keeps every finished batch and resumes after the last committed client.
    """
    holder = lease_holder_name()
    job = lease_take(RecomputeJob, job_id, holder=holder, seconds=lease_seconds())
    if job is None:
        log.info("Recompute job %s is being run by another worker (or does not exist)", job_id)
        return None
    try:
        if job.status in (JobStatus.DONE, JobStatus.FAILED):
            return job
        _run_claimed(job, holder)
        return job
    except JobTakenOver:
        log.warning("Recompute job %s was taken over by another worker", job_id)
        return None
    finally:
        try:
            lease_release(RecomputeJob, job_id, holder=holder)
        except DatabaseError:  # the connection is gone: the lease runs out by itself
            log.warning("Could not release recompute job %s", job_id, exc_info=True)


def recompute_job_unfinished(job_id: int) -> bool:
    return RecomputeJob.objects.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).exists()


def _run_claimed(job: RecomputeJob, holder: str) -> None:
    def renew(**changes: Any) -> None:
        if not lease_renew(RecomputeJob, job.pk, holder=holder, seconds=lease_seconds(), **changes):
            raise JobTakenOver(job.pk)

    loaded = load_scorecard(job.scorecard if job.scorecard_id else None)
    ids = scored_client_ids()
    remaining = [client_id for client_id in ids if client_id > job.last_client_id]
    renew(
        status=JobStatus.RUNNING,
        total=len(ids),
        done=len(ids) - len(remaining),
        error="",
        started_at=job.started_at or timezone.now(),
    )
    size = batch_size()
    try:
        for start in range(0, len(remaining), size):
            batch = remaining[start : start + size]
            with transaction.atomic():
                renew()  # locks the job's row until the batch commits: nobody takes it over meanwhile
                recompute_batch(loaded=loaded, as_of=job.as_of, client_ids=batch, from_replica=True)
                job.done = len(ids) - len(remaining) + start + len(batch)
                job.last_client_id = batch[-1]
                renew(done=job.done, last_client_id=job.last_client_id)
    except JobTakenOver:
        raise
    except DatabaseError as exc:
        # Worth retrying (the task retries on database errors): it resumes after its last batch.
        renew(status=JobStatus.QUEUED, error=f"Retrying: {exc}"[:2000])
        raise
    except Exception as exc:
        # Finished batches stay; the rest keep their previous scores and the job says why.
        renew(status=JobStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        job.status = JobStatus.FAILED
        raise
    renew(status=JobStatus.DONE, done=len(ids), finished_at=timezone.now())
    job.status = JobStatus.DONE
    tables_analyze(HealthScore)


def debounce_seconds() -> int:
    return getattr(settings, "HEALTH_RECOMPUTE_DEBOUNCE_SECONDS", 20)


_REQUEST = """
INSERT INTO health_pendingrecompute (client_id, requested_at) VALUES (%s, now())
ON CONFLICT (client_id) DO NOTHING RETURNING client_id
"""


def client_recompute_request(*, client_id: int) -> bool:
    """Note that a client's score is due. Only the first request of a burst queues a task."""
    from health.tasks import recompute_pending

    with connection.cursor() as cursor:
        cursor.execute(_REQUEST, [client_id])
        queued = cursor.fetchone() is not None
    if queued:
        send_task_on_commit(recompute_pending, countdown=debounce_seconds())
    return queued


def clients_recompute_request(*, client_ids: list[int]) -> int:
    """`client_recompute_request` for many clients in one statement (bulk writes send no signals)."""
    from health.tasks import recompute_pending

    if not client_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO health_pendingrecompute (client_id, requested_at) SELECT unnest(%s::bigint[]), now() "
            "ON CONFLICT (client_id) DO NOTHING RETURNING client_id",
            [list(client_ids)],
        )
        queued = len(cursor.fetchall())
    if queued:
        send_task_on_commit(recompute_pending, countdown=debounce_seconds())
    return queued


_CLAIM = """
DELETE FROM health_pendingrecompute WHERE client_id IN (
    SELECT client_id FROM health_pendingrecompute ORDER BY client_id LIMIT %s FOR UPDATE SKIP LOCKED
) RETURNING client_id
"""


def pending_recompute_run(*, as_of: datetime.date | None = None) -> int:
    """Claim the due clients and rescore them in one transaction: a failure puts the claim back."""
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM, [PENDING_CLAIM_LIMIT])
            client_ids = sorted(row[0] for row in cursor.fetchall())
        existing = set(scored_client_ids_among(client_ids))
        if existing:
            recompute_batch(loaded=load_scorecard(), as_of=as_of, client_ids=sorted(existing))
    return len(client_ids)


def scored_client_ids_among(client_ids: list[int]) -> list[int]:
    from accounts.models import Client, ClientStatus

    if not client_ids:
        return []
    return list(Client.objects.filter(pk__in=client_ids).exclude(status=ClientStatus.LOST).values_list("pk", flat=True))
