"""Real processes for the fault tests: a private redis-server, real Celery workers that can be
killed, and a second database session that holds a row lock.

The machine's own Redis is never touched: each test starts its own redis-server on a free port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import redis
from django.db import connection

from config.celery import app as celery_app
from config.queues import QUEUES

ROOT = Path(__file__).resolve().parents[2]


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
            stdout=subprocess.DEVNULL,
        )
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
    celery_app.amqp._producer_pool = None


def database_url() -> str:
    """The test database, as seen by this test (the worker must read and write the same one)."""
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A real `celery worker`. The solo pool runs each task in the worker process itself, so a
    SIGKILL stops the very process that is executing the task, with no parent left to hand the
    message back: only the broker's visibility timeout brings it to another worker."""

    def __init__(
        self, name: str, *, broker_url: str, media_root: Path, log_dir: Path, env: dict[str, str] | None = None
    ) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker_url,
            "MEDIA_ROOT": str(media_root),
            "SECRET_KEY": "fault-test-worker-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "INFO",
            **(env or {}),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-Q",
                    ",".join(QUEUES),
                    "-n",
                    f"{self.name}@%h",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a kill reaches anything it started
            )
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, no message is acknowledged or handed back."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def wait_for(
    predicate: Callable[[], object], *, seconds: float, what: str, workers: list[Worker] = (), every: float = 0.05
):
    """Poll until `predicate()` is truthy and return it; fail with the workers' logs otherwise."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(every)
    logs = "\n".join(f"--- {worker.name} ---\n{worker.log()[-6000:]}" for worker in workers)
    raise AssertionError(f"Gave up after {seconds:.0f}s waiting for {what}.\n{logs}")


class RowLock:
    """A second session that locks rows (SELECT … FOR UPDATE) until released, so that a worker
    writing to them stops right there: a kill then lands at a known point of the task."""

    def __init__(self) -> None:
        db = connection.settings_dict
        self.params = {
            "dbname": db["NAME"],
            "user": db["USER"] or "postgres",
            "password": db["PASSWORD"] or None,
            "host": db["HOST"] or "127.0.0.1",
            "port": db["PORT"] or 5432,
        }
        self.session = psycopg.connect(**self.params)

    def lock(self, sql: str, params: list) -> list[tuple]:
        return self.session.execute(sql, params).fetchall()  # its transaction stays open

    def release(self) -> None:
        self.session.rollback()

    def close(self) -> None:
        self.session.close()

    def _ask(self, sql: str, params: list) -> list[tuple]:
        with psycopg.connect(**self.params, autocommit=True) as probe:
            return probe.execute(sql, params).fetchall()

    def blocked_sessions(self, query: str) -> list[int]:
        """Sessions waiting for a lock while running a query that starts so (a LIKE pattern)."""
        rows = self._ask(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE %s",
            [query + "%"],
        )
        return [row[0] for row in rows]

    def session_gone(self, pid: int) -> bool:
        return not self._ask("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
