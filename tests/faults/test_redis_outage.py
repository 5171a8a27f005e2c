"""Redis goes away: pages keep working, requested work is kept and queued for later, and it is sent
when Redis is back. Uses a private redis-server so the machine's own Redis is never touched."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from reports.models import Report
from reports.pdf.periods import last_complete_quarter
from reports.services import reports_requeue_waiting

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.isolated]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL)
        for _ in range(50):
            try:
                redis.Redis(port=self.port).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("private redis did not start")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def reset_broker_pool() -> None:
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None  # the next send opens a pool on the current broker URL


@pytest.fixture
def private_redis(settings):
    server = PrivateRedis()
    server.start()
    previous = dict(task_always_eager=celery_app.conf.task_always_eager, broker_url=celery_app.conf.broker_url)
    celery_app.conf.update(task_always_eager=False, broker_url=server.url)
    reset_broker_pool()
    settings.CACHES = {"default": {"BACKEND": "accounts.cache.ForgivingRedisCache", "LOCATION": server.url,
                                   "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
    caches._settings = None
    caches.__init__()
    yield server
    server.stop()
    celery_app.conf.update(**previous)
    reset_broker_pool()


def test_pages_keep_working_and_work_is_queued_for_when_redis_returns(private_redis, mike, normal_client, login,
                                                                      django_capture_on_commit_callbacks):
    private_redis.stop()
    http = login(mike)
    for url in ["/clients/", f"/clients/{normal_client.pk}/", "/dashboard/", "/overview/"]:
        assert http.get(url).status_code == 200, url

    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("report-list"), {"kind": "quarterly_pack", "scope": "firm",
                                                      "quarter": last_complete_quarter(timezone.localdate()).code})
    assert response.status_code == 302  # not a 500: the request is kept
    report = Report.objects.get()
    assert report.status == "queued"

    private_redis.start()
    assert reports_requeue_waiting(older_than_seconds=0) == 1
    assert redis.Redis(port=private_redis.port).llen("celery") == 1  # the render is on the queue now
