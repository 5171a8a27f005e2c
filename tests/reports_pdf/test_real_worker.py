"""The queue itself: a real Celery worker on Redis renders a report once, however often sent."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection, transaction

from config.queues import INTERACTIVE, celery_queues, celery_routes
from reports.models import Report, ReportStatus
from tests.factories import ClientFactory
from tests.reports_pdf.conftest import review_record

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REDIS_URL = "redis://127.0.0.1:6379/6"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker():
    app = Celery(broker=REDIS_URL, set_as_current=False)
    # Keyline's own routing, so the message goes where the app's own sends would put it.
    app.conf.update(task_routes=celery_routes, task_queues=celery_queues, task_default_queue=INTERACTIVE)
    try:
        app.connection_for_write().ensure_connection(max_retries=1)
    except Exception:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    app.control.purge()
    yield app
    app.control.purge()


@pytest.fixture
def worker(broker, settings):
    database = connection.settings_dict
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield process
    process.terminate()
    process.wait(timeout=30)


def wait_until_done(report: Report, seconds: float = 90) -> Report:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in {ReportStatus.DONE, ReportStatus.FAILED}:
            return report
        time.sleep(0.5)
    raise AssertionError(f"report still {report.status} after {seconds}s")


def test_a_real_worker_renders_a_report_sent_twice_only_once(alice, broker, worker):
    with transaction.atomic():
        client = ClientFactory(name="Queue Test plc", crp=alice)
    report = review_record(alice, client)
    broker.send_task("reports.tasks.render_report", args=[str(report.pk)])
    broker.send_task("reports.tasks.render_report", args=[str(report.pk)])
    report = wait_until_done(report)
    assert report.status == ReportStatus.DONE and report.file.read(5) == b"%PDF-"
    first_finish, name = report.finished_at, report.file.name
    time.sleep(3)  # the second message has been handled by now
    report.refresh_from_db()
    assert (report.finished_at, report.file.name) == (first_finish, name)
