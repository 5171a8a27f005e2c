"""A real Celery worker on a real Redis broker: a change to a client's data leads to a new score."""

import time

import pytest
from django.db import transaction

from config.celery import app as celery_app
from health.models import HealthScore, PendingRecompute
from tests.factories import ClientFactory, InteractionFactory

BROKER = "redis://127.0.0.1:6379/5"
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(settings):
    from celery.contrib.testing.worker import start_worker

    settings.HEALTH_RECOMPUTE_DEBOUNCE_SECONDS = 1
    previous = {
        "broker_url": celery_app.conf.broker_url,
        "task_always_eager": celery_app.conf.task_always_eager,
    }
    celery_app.conf.update(
        broker_url=BROKER,
        task_always_eager=False,
        result_backend=None,
        broker_connection_retry_on_startup=True,
    )
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        celery_app.conf.update(
            broker_url=previous["broker_url"], task_always_eager=previous["task_always_eager"]
        )


def wait_for(predicate, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_new_interaction_leads_to_a_new_score_via_the_worker(worker, django_db_setup):
    with transaction.atomic():  # a client and its CRP commit together
        client = ClientFactory()
    for _ in range(12):
        InteractionFactory(client=client, sentiment=2)
    assert wait_for(lambda: HealthScore.objects.filter(client=client).exists())
    score = HealthScore.objects.get(client=client)
    assert {c["key"]: c["raw"] for c in score.components}["contact_frequency"] == 12
    assert wait_for(lambda: not PendingRecompute.objects.exists())
