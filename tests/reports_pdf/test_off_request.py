"""Without Redis, the embedded default's long jobs still run off the request: a real local Celery
worker takes them from the folder broker the launcher sets up (config/local_broker.py)."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from kombu import pools as kombu_pools

from config.celery import app as celery_app
from config.local_broker import filesystem_broker_options
from reports.models import Report, ReportStatus
from tests.faults.processes import Worker, reset_broker_pool, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def folder_broker(tmp_path):
    """This process sends to a filesystem broker in tmp_path, as the embedded default's web server does."""
    folder = tmp_path / "broker"
    previous = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url", "broker_transport_options")}
    celery_app.conf.update(
        task_always_eager=False, broker_url="filesystem://", broker_transport_options=filesystem_broker_options(folder)
    )
    reset_broker_pool()
    yield folder
    celery_app.conf.update(**previous)
    reset_broker_pool()
    kombu_pools.reset()  # kombu keeps producer pools per connection URL: drop the ones closed above


@pytest.fixture
def local_worker(folder_broker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    worker = Worker(
        "local",
        broker_url="",
        media_root=settings.MEDIA_ROOT,
        log_dir=tmp_path,
        env={"CELERY_BROKER_URL": "filesystem://", "CELERY_FILESYSTEM_BROKER_DIR": str(folder_broker)},
    )
    yield worker
    worker.stop()


def test_a_pack_request_returns_at_once_and_the_local_worker_renders_it(rich_client, mike, login, local_worker):
    http = login(mike)
    url = reverse("report-list")  # loads the URLconf (and every view module) before the clock starts
    started = time.monotonic()
    response = http.post(url, {"kind": "quarterly_pack", "scope": "firm", "quarter": "2026-Q3"})
    assert time.monotonic() - started < 2  # rendering the pack in the request takes far longer
    report = Report.objects.get()
    assert report.status == ReportStatus.QUEUED  # nothing rendered inside the request

    page = http.get(response.url).content.decode()
    assert "Your report is queued" in page  # the message says what the status says
    assert 'hx-trigger="every 1s"' in page  # the page polls its progress

    local_worker.start()
    wait_for(
        lambda: Report.objects.get(pk=report.pk).status == ReportStatus.DONE,
        seconds=180,
        what="the local worker to render the pack",
        workers=[local_worker],
        every=0.5,
    )
    page = http.get(response.url).content.decode()
    assert reverse("report-download", args=[report.pk]) in page
    assert 'hx-trigger="every 1s"' not in page


def test_in_process_tasks_say_the_report_is_ready_not_queued(rich_client, mike, login):
    response = login(mike).post(
        reverse("report-list"),
        {"kind": "account_review", "scope": f"client:{rich_client.pk}", "quarter": "2026-Q3"},
        follow=True,
    )
    assert Report.objects.get().status == ReportStatus.DONE
    body = response.content.decode()
    assert "Your report is ready to download." in body
    assert "queued" not in body.lower()
