"""The read-replica router without a replica (the default), and how DATABASE_REPLICA_URL is read. The
routing itself is tested against a real streaming replica in tests/replicas."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import router
from django.urls import reverse

from accounts.models import Client
from config.db_router import reading_from_replica

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_without_a_replica_every_read_and_write_uses_the_primary(alice, normal_client, login):
    with reading_from_replica() as alias:
        assert alias is None
        assert Client.objects.all().db == "default"
        assert router.db_for_write(Client) == "default"
    response = login(alice).get(reverse("dashboard"), {"mine": "1"})
    assert [row.client.name for row in response.context["table"].rows] == ["Harbour Energy plc"]


def test_only_the_primary_is_migrated():
    assert router.allow_migrate("default", "accounts")
    assert not router.allow_migrate("replica", "accounts")


def read_settings(**env: str) -> subprocess.CompletedProcess:
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'replicas': s.DATABASE_REPLICAS, 'databases': {a: {'HOST': d['HOST'], "
        "'OPTIONS': d['OPTIONS'], 'TEST': d.get('TEST', {})} for a, d in s.DATABASES.items()}}))"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",  # the test settings drop DATABASE_REPLICA_URL
            "DATABASE_URL": "postgres://kl@db-primary/keyline",
            "SECRET_KEY": "settings-test-only-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "DEBUG": "false",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_replica_urls_become_replica_aliases_with_a_short_connect_timeout():
    result = read_settings(DATABASE_REPLICA_URL="postgres://kl@db-r1:5432/keyline, postgres://kl@db-r2/keyline")
    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout)
    assert read["replicas"] == ["replica", "replica2"]
    first, second = read["databases"]["replica"], read["databases"]["replica2"]
    assert (first["HOST"], second["HOST"]) == ("db-r1", "db-r2")
    assert first["OPTIONS"]["connect_timeout"] == 2  # an unreachable replica is given up quickly
    assert first["TEST"]["MIRROR"] == "default"  # a test run with replicas set creates no database for them


def test_no_replica_url_means_no_replica_alias():
    result = read_settings(DATABASE_REPLICA_URL="")
    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout)
    assert read["replicas"] == [] and list(read["databases"]) == ["default"]


def test_a_pin_window_shorter_than_the_lag_a_replica_may_have_is_refused():
    result = read_settings(REPLICA_PIN_SECONDS="3", REPLICA_MAX_LAG_SECONDS="5")
    assert result.returncode != 0
    assert "REPLICA_PIN_SECONDS must exceed" in result.stderr
