"""A real Celery worker process on a real Redis broker: a change to a client's data leads to
a new score."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from config.celery import app as celery_app
from config.queues import QUEUES
from health.models import HealthScore, PendingRecompute
from tests.factories import ClientFactory, InteractionFactory

BROKER = "redis://127.0.0.1:6379/5"
ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(settings):
    settings.HEALTH_RECOMPUTE_DEBOUNCE_SECONDS = 1
    db = django_settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_env",
        "KEYLINE_TEST_REDIS": "1",
        "REDIS_URL": BROKER,
        "HEALTH_RECOMPUTE_DEBOUNCE_SECONDS": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            ",".join(QUEUES),
        ],
        cwd=ROOT,
        env=env,
    )
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.update(broker_url=BROKER, task_always_eager=False)
    forget_broker_connections()
    try:
        yield process
    finally:
        celery_app.conf.update(broker_url=previous[0], task_always_eager=previous[1])
        forget_broker_connections()
        process.terminate()
        process.wait(timeout=20)


def forget_broker_connections() -> None:
    """Producers made earlier in the run point at the in-memory broker; start afresh."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def wait_for(predicate, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_new_interaction_leads_to_a_new_score_via_the_worker(worker):
    with transaction.atomic():  # a client and its CRP commit together
        client = ClientFactory()
    for _ in range(12):
        InteractionFactory(client=client, sentiment=2)
    assert wait_for(lambda: HealthScore.objects.filter(client=client).exists())
    assert wait_for(lambda: not PendingRecompute.objects.exists())
    score = HealthScore.objects.get(client=client)
    assert {c["key"]: c["raw"] for c in score.components}["contact_frequency"] == 12
