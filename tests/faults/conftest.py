"""Fixtures of the fault tests: a private Redis this process's Celery app sends to, and real
workers on it that are always stopped afterwards, pass or fail."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import caches

from config.celery import app as celery_app
from tests.faults.processes import PrivateRedis, Worker, reset_broker_pool


@pytest.fixture
def private_redis(settings):
    """A redis-server of this test's own (never the machine's): the broker and the cache."""
    server = PrivateRedis()
    server.start()
    previous = dict(task_always_eager=celery_app.conf.task_always_eager, broker_url=celery_app.conf.broker_url)
    celery_app.conf.update(task_always_eager=False, broker_url=server.url)
    reset_broker_pool()
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ForgivingRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    caches._settings = None
    caches.__init__()
    yield server
    server.stop()
    celery_app.conf.update(**previous)
    reset_broker_pool()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """Stored files (reports, uploads) of this test only, shared with its workers."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def workers(private_redis, media, tmp_path):
    """`workers(name, **env)` starts a real Celery worker on the private Redis."""
    started: list[Worker] = []

    def start(name: str, **env: str) -> Worker:
        worker = Worker(name, broker_url=private_redis.url, media_root=media, log_dir=tmp_path, env=env)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()
