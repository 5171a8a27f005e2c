"""Killing a recompute process midway (SIGKILL) leaves whole batches; the job stays held until the
killed worker's lease runs out, then another worker finishes it without redoing a batch."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from health.default_scorecard import DEFAULT_MEASURES
from health.models import HealthScore, JobStatus, RecomputeJob
from health.services.jobs import recompute_job_run
from tests.factories import ClientFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CLIENTS = 400
BATCH = 2
LEASE_SECONDS = 8


def run_job_in_a_process(job_id: int) -> subprocess.Popen:
    db = django_settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_env",
        "HEALTH_RECOMPUTE_BATCH": str(BATCH),
        "HEALTH_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    code = f"from health.services.jobs import recompute_job_run; recompute_job_run(job_id={job_id})"
    return subprocess.Popen([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env)


def lease_ran_out(job_id: int, seconds: float = LEASE_SECONDS + 15) -> bool:
    """The killed worker's lease ran out (by the database's clock) and no transaction of its is left."""
    from django.db import connection

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT held_until < now() FROM health_recomputejob WHERE id = %s FOR UPDATE SKIP LOCKED",
                [job_id],
            )
            row = cursor.fetchone()
            if row is not None and row[0]:
                return True
        time.sleep(0.2)
    return False


def test_killed_recompute_keeps_whole_batches_and_resumes(scorecard):
    crp = UserFactory()
    with transaction.atomic():
        for _ in range(CLIENTS):
            ClientFactory(crp=crp)
    job = RecomputeJob.objects.create(as_of=timezone.localdate(), reason="test")
    process = run_job_in_a_process(job.pk)
    deadline = time.monotonic() + 60
    while RecomputeJob.objects.get(pk=job.pk).done < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()

    job.refresh_from_db()
    scored = HealthScore.objects.filter(as_of=job.as_of).count()
    assert job.status == JobStatus.RUNNING and 0 < job.done < CLIENTS
    assert scored == job.done and scored % BATCH == 0  # whole batches only, counted with them
    assert all(
        len(components) == len(DEFAULT_MEASURES)
        for components in HealthScore.objects.values_list("components", flat=True)
    )

    killed_at_done = job.done
    first_run = dict(HealthScore.objects.filter(as_of=job.as_of).values_list("client_id", "computed_at"))

    # Another worker at once: the killed one's lease still holds, so the job is left alone.
    assert job.holder and recompute_job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.done == killed_at_done and HealthScore.objects.filter(as_of=job.as_of).count() == scored

    assert lease_ran_out(job.pk)  # nothing renews a killed worker's lease
    rerun = run_job_in_a_process(job.pk)
    assert rerun.wait(timeout=120) == 0
    job.refresh_from_db()
    assert (job.status, job.done, job.holder) == (JobStatus.DONE, CLIENTS, "")
    rescored = dict(HealthScore.objects.filter(as_of=job.as_of).values_list("client_id", "computed_at"))
    assert len(rescored) == CLIENTS
    assert {client_id: rescored[client_id] for client_id in first_run} == first_run  # nothing done twice
