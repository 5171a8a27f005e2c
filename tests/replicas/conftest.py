"""Fixtures of the read-replica tests: one real streaming replica for the run (started once the test
database exists) behind a "replica" alias, the only replica of each test's settings."""

from __future__ import annotations

import pytest
from django.db import connections

from config.db_router import health
from tests.replicas.streaming import StreamingReplica

ALIAS = "replica"


@pytest.fixture(scope="session", autouse=True)
def streaming_replica(django_db_setup, django_db_blocker):
    """Session-wide and first (before each test's database set-up, which must find the alias)."""
    primary = connections["default"].settings_dict
    server = StreamingReplica(
        host=primary["HOST"] or "127.0.0.1",
        port=int(primary["PORT"] or 5432),
        user=primary["USER"] or "postgres",
        dbname=primary["NAME"],  # the test database, which the base backup copies
    )
    try:
        server.create()
        connections.settings[ALIAS] = {
            **primary,
            "HOST": "127.0.0.1",
            "PORT": str(server.port),
            "OPTIONS": {"connect_timeout": 2},
            "TEST": {**primary["TEST"], "MIRROR": "default"},  # never flushed or created by the tests
        }
        yield server
    finally:
        if ALIAS in connections.settings:
            connections[ALIAS].close()
            del connections.settings[ALIAS]
        server.destroy()


@pytest.fixture
def replica(streaming_replica, settings):
    """The replica, running, replaying and caught up, as the only replica of this test's settings.
    The tests commit what they write (django_db(transaction=True)), so the replica receives it."""
    if not streaming_replica.running:
        streaming_replica.start()
    streaming_replica.resume()
    streaming_replica.wait_caught_up()
    settings.DATABASE_REPLICAS = [ALIAS]
    settings.REPLICA_LAG_CHECK_SECONDS = 0  # measured on every read block: the tests change it at will
    settings.REPLICA_MAX_LAG_SECONDS = 600
    settings.DASHBOARD_CHART_CACHE_SECONDS = 0
    health.reset()
    yield streaming_replica
    connections[ALIAS].close()
    health.reset()
    if not streaming_replica.running:
        streaming_replica.start()
    streaming_replica.resume()
    streaming_replica.wait_caught_up()
