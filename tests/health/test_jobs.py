"""Background recomputes: debounce, resumable jobs, failures that keep the previous scores."""

import datetime

import pytest
from django.utils import timezone

from health.models import HealthScore, JobStatus, PendingRecompute, RecomputeJob
from health.services import jobs
from health.services.recompute import scores_recompute
from stakeholders.models import Interaction
from tests.factories import ClientFactory, InteractionFactory, RiskFactory

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: no `except Exception` handler gets to run."""


def test_a_burst_of_50_edits_queues_one_recompute(scorecard, django_capture_on_commit_callbacks):
    client = ClientFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(50):
            InteractionFactory(client=client)
    assert len(callbacks) == 1
    assert PendingRecompute.objects.count() == 1


def test_the_queued_recompute_scores_the_changed_client_once(scorecard, django_capture_on_commit_callbacks):
    client, untouched = ClientFactory(), ClientFactory()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(50):
            InteractionFactory(client=client)
    assert list(HealthScore.objects.values_list("client_id", flat=True)) == [client.pk]
    assert HealthScore.objects.get(client=client).components[0]["raw"] == 50
    assert not PendingRecompute.objects.exists()
    assert untouched.pk not in HealthScore.objects.values_list("client_id", flat=True)


def test_edits_to_risks_and_stakeholder_data_request_a_recompute(scorecard):
    client = ClientFactory()
    RiskFactory(client=client)
    assert PendingRecompute.objects.filter(client_id=client.pk).exists()


def test_deleting_a_client_with_data_is_not_blocked_by_a_pending_recompute(scorecard):
    client = ClientFactory(status="lost")
    InteractionFactory(client=client)
    client.delete()
    assert jobs.pending_recompute_run() == 1
    assert not HealthScore.objects.exists()


def test_recompute_job_scores_everyone_and_shows_progress(scorecard, settings):
    settings.HEALTH_RECOMPUTE_BATCH = 2
    clients = ClientFactory.create_batch(5)
    job = RecomputeJob.objects.create(as_of=timezone.localdate(), reason="test")
    jobs.recompute_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == (JobStatus.DONE, 5, 5, 100)
    assert HealthScore.objects.count() == len(clients)


def test_running_a_finished_job_again_changes_nothing(scorecard):
    ClientFactory.create_batch(2)
    job = RecomputeJob.objects.create(as_of=timezone.localdate(), reason="test")
    jobs.recompute_job_run(job_id=job.pk)
    computed = list(HealthScore.objects.values_list("computed_at", flat=True))
    jobs.recompute_job_run(job_id=job.pk)
    assert list(HealthScore.objects.values_list("computed_at", flat=True)) == computed


def test_a_job_killed_midway_keeps_whole_batches_and_resumes(scorecard, settings, monkeypatch):
    settings.HEALTH_RECOMPUTE_BATCH = 3
    clients = ClientFactory.create_batch(8)
    job = RecomputeJob.objects.create(as_of=timezone.localdate(), reason="test")
    real_batch, calls = jobs.recompute_batch, []

    def dies_on_second_batch(**kwargs):
        calls.append(kwargs["client_ids"])
        if len(calls) == 2:
            raise WorkerKilled
        return real_batch(**kwargs)

    monkeypatch.setattr(jobs, "recompute_batch", dies_on_second_batch)
    with pytest.raises(WorkerKilled):
        jobs.recompute_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.done) == (JobStatus.RUNNING, 3)
    assert set(HealthScore.objects.values_list("client_id", flat=True)) == {c.pk for c in clients[:3]}

    monkeypatch.setattr(jobs, "recompute_batch", real_batch)
    jobs.recompute_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.done) == (JobStatus.DONE, 8)
    assert HealthScore.objects.count() == 8


def test_a_failing_recompute_keeps_the_previous_scores_and_says_why(scorecard, monkeypatch):
    client = ClientFactory()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    scores_recompute(as_of=yesterday)
    previous = HealthScore.objects.get(client=client)
    job = RecomputeJob.objects.create(as_of=yesterday, reason="test")

    def broken(*args, **kwargs):
        raise ValueError("Measure data could not be read")

    monkeypatch.setattr("health.services.recompute.compute_for", broken)
    with pytest.raises(ValueError):
        jobs.recompute_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "could not be read" in job.error
    assert HealthScore.objects.get(client=client).computed_at == previous.computed_at


def held_by_another_worker(job: RecomputeJob, *, for_seconds: float = 60) -> None:
    RecomputeJob.objects.filter(pk=job.pk).update(
        holder="worker-2:4242:run", held_until=timezone.now() + datetime.timedelta(seconds=for_seconds)
    )


def test_a_job_held_by_another_worker_is_left_alone(scorecard):
    ClientFactory()
    job = RecomputeJob.objects.create(as_of=timezone.localdate(), reason="test")
    held_by_another_worker(job)
    assert jobs.recompute_job_run(job_id=job.pk) is None
    assert not HealthScore.objects.exists()
    job.refresh_from_db()
    assert (job.status, job.holder) == (JobStatus.QUEUED, "worker-2:4242:run")
    assert Interaction.objects.count() == 0


def test_a_job_whose_worker_stopped_renewing_is_resumed_by_another(scorecard, settings):
    """A killed worker never lets go: its lease runs out and the next worker resumes the job where the
    last committed batch left it, without redoing the batches already done."""
    settings.HEALTH_RECOMPUTE_BATCH = 2
    clients = ClientFactory.create_batch(5)
    job = RecomputeJob.objects.create(as_of=timezone.localdate(), reason="test")
    first = sorted(c.pk for c in clients)[:2]
    jobs.recompute_batch(loaded=jobs.load_scorecard(), as_of=job.as_of, client_ids=first)
    RecomputeJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=2, last_client_id=first[-1])
    held_by_another_worker(job, for_seconds=-1)
    before = dict(HealthScore.objects.values_list("client_id", "computed_at"))

    assert jobs.recompute_job_run(job_id=job.pk) is not None
    job.refresh_from_db()
    assert (job.status, job.done, job.holder, job.held_until) == (JobStatus.DONE, 5, "", None)
    after = dict(HealthScore.objects.values_list("client_id", "computed_at"))
    assert {c: after[c] for c in first} == before  # the dead worker's batch is not done twice
    assert len(after) == 5


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_lost_its_job_to_another_commits_no_further_batch(scorecard, settings, monkeypatch):
    """A worker that stalled past its lease between two batches while another worker took the job over
    stops at its next batch: the two never both write the same job."""
    from django.db import connections

    settings.HEALTH_RECOMPUTE_BATCH = 2
    ClientFactory.create_batch(6)
    job = RecomputeJob.objects.create(as_of=timezone.localdate(), reason="test")
    real_renew, renewals = jobs.lease_renew, []

    def another_takes_over_before_the_second_batch(*args, **kwargs):
        renewals.append(kwargs)
        if len(renewals) == 4:  # started; first batch opened, committed; now the second batch opens
            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute(
                        "UPDATE health_recomputejob SET holder = 'worker-2:4242:run', "
                        "held_until = now() + interval '1 minute' WHERE id = %s",
                        [job.pk],
                    )
            finally:
                other.close()
        return real_renew(*args, **kwargs)

    monkeypatch.setattr(jobs, "lease_renew", another_takes_over_before_the_second_batch)
    assert jobs.recompute_job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.done, job.holder) == (JobStatus.RUNNING, 2, "worker-2:4242:run")
    assert HealthScore.objects.count() == 2  # the first batch only: the second was not written


@pytest.mark.django_db(transaction=True)
def test_a_job_with_a_batch_in_progress_elsewhere_is_left_alone_without_waiting(scorecard):
    """A batch keeps its job's row locked until it commits: another worker skips the job at once."""
    import time

    from django.db import connections

    ClientFactory()
    job = RecomputeJob.objects.create(as_of=timezone.localdate(), reason="test")
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute("SELECT id FROM health_recomputejob WHERE id = %s FOR UPDATE", [job.pk])
        started = time.monotonic()
        assert jobs.recompute_job_run(job_id=job.pk) is None
        assert time.monotonic() - started < 2
    finally:
        other.rollback()
        other.close()
    assert not HealthScore.objects.exists()
    assert jobs.recompute_job_run(job_id=job.pk) is not None  # once that batch is over, the job is free
    assert HealthScore.objects.count() == 1


def test_a_task_that_finds_its_job_held_looks_once_more_later(scorecard, monkeypatch):
    """A killed worker's lease outlives it by up to HEALTH_JOB_LEASE_SECONDS: the redelivered task must
    not drop the job then, but look again after BUSY_RECHECK_SECONDS (longer than a lease)."""
    from health import tasks

    ClientFactory()
    job = RecomputeJob.objects.create(as_of=timezone.localdate(), reason="test")
    sent = []
    monkeypatch.setattr(tasks.run_recompute_job, "apply_async", lambda *a, **kw: sent.append((a, kw)))
    held_by_another_worker(job)
    tasks.run_recompute_job(job.pk)
    tasks.run_recompute_job(job.pk, recheck=False)  # the second look only looks
    assert sent == [(((job.pk,), {"recheck": False}), {"countdown": jobs.BUSY_RECHECK_SECONDS})]
    assert jobs.lease_seconds() < jobs.BUSY_RECHECK_SECONDS

    held_by_another_worker(job, for_seconds=-1)  # the dead worker's lease ran out
    tasks.run_recompute_job(job.pk, recheck=False)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and HealthScore.objects.count() == 1
