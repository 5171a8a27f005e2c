"""Killing a recompute process midway (SIGKILL) leaves whole batches; a rerun finishes the job."""

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
from health.services.jobs import JOB_LOCK_NAMESPACE
from tests.factories import ClientFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CLIENTS = 400
BATCH = 2


def run_job_in_a_process(job_id: int) -> subprocess.Popen:
    db = django_settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_env",
        "HEALTH_RECOMPUTE_BATCH": str(BATCH),
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    code = f"from health.services.jobs import recompute_job_run; recompute_job_run(job_id={job_id})"
    return subprocess.Popen([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env)


def lock_released(job_id: int, seconds: float = 15) -> bool:
    from django.db import connection

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s AND granted",
                [JOB_LOCK_NAMESPACE, job_id],
            )
            if cursor.fetchone()[0] == 0:
                return True
        time.sleep(0.1)
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

    assert lock_released(job.pk)  # the killed process's session, and with it the job's lock, is gone
    rerun = run_job_in_a_process(job.pk)
    assert rerun.wait(timeout=120) == 0
    job.refresh_from_db()
    assert (job.status, job.done) == (JobStatus.DONE, CLIENTS)
    assert HealthScore.objects.filter(as_of=job.as_of).count() == CLIENTS
