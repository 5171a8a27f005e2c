"""docker-compose.yml scales as written: migrations run once, a worker per queue, health checks,
client tools that match the database server, and an optional PgBouncer that only the long-running
processes go through."""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from config.queues import QUEUES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = [name for name, service in SERVICES.items() if service.get("build")]
ONE_OFF = ["migrate", "backup"]  # run once and exit; never through the pooler
LONG_RUNNING = [name for name in APP_SERVICES if name not in ONE_OFF]
# The .env lines the file's header gives for running behind the pooler.
POOLED_ENV = dict(re.findall(r"^#   (\w+)=(\S+)$", (ROOT / "docker-compose.yml").read_text(), re.MULTILINE))


def resolved(value: str, env: dict[str, str]) -> str:
    """`${NAME:-default}` as docker compose fills it in from .env."""
    return re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: env.get(m.group(1)) or m.group(2), value)


def test_only_the_one_off_migrate_service_migrates_and_every_app_process_waits_for_it():
    migrating = [name for name in APP_SERVICES if "migrate" in str(SERVICES[name].get("command", ""))]
    assert migrating == ["migrate"]
    assert set(LONG_RUNNING) >= {"web", "beat"}
    for name in LONG_RUNNING:
        assert SERVICES[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name


def test_the_one_off_backup_runs_only_when_asked_and_does_not_migrate_first():
    backup = SERVICES["backup"]
    assert backup["command"] == "python manage.py backup"
    assert "migrate" not in backup["depends_on"]  # back up before an upgrade migrates
    assert backup["profiles"]  # not started by `docker compose up`
    assert "media:/app/var/media" in backup["volumes"]


def test_pgbouncer_is_optional_in_transaction_mode_and_in_front_of_postgres():
    pooler = SERVICES["pgbouncer"]
    assert pooler["image"].startswith("edoburu/pgbouncer:")
    assert pooler["profiles"] == [POOLED_ENV["COMPOSE_PROFILES"]]
    env = pooler["environment"]
    assert env["POOL_MODE"] == "transaction"
    assert (env["DB_HOST"], env["DB_PORT"], env["DB_NAME"]) == ("db", "5432", "keyline")
    assert env["AUTH_TYPE"] == "scram-sha-256"  # PostgreSQL 18 authenticates with SCRAM
    assert "pg_isready" in pooler["healthcheck"]["test"]
    for name in LONG_RUNNING:
        assert SERVICES[name]["depends_on"]["pgbouncer"] == {"condition": "service_healthy", "required": False}


@pytest.mark.parametrize("pooled", [False, True])
def test_long_running_processes_use_the_pooler_when_env_says_so_and_migrate_and_backup_never(pooled):
    env = POOLED_ENV if pooled else {}
    for name in APP_SERVICES:
        settings = {key: resolved(str(value), env) for key, value in SERVICES[name]["environment"].items()}
        url = urlparse(settings["DATABASE_URL"])
        if pooled and name in LONG_RUNNING:
            assert (url.hostname, url.port, settings["DATABASE_POOLER"]) == ("pgbouncer", 5432, "transaction"), name
        else:
            assert (url.hostname, url.port, settings["DATABASE_POOLER"]) == ("db", 5432, ""), name
        assert url.path == "/keyline" and url.username == "keyline", name


def test_the_pooler_settings_in_the_compose_file_are_the_ones_the_scaling_guide_gives():
    guide = (ROOT / "docs" / "scaling.md").read_text()
    assert set(POOLED_ENV) == {"COMPOSE_PROFILES", "APP_DATABASE_URL", "DATABASE_POOLER"}
    for name, value in POOLED_ENV.items():
        assert f"{name}={value}" in guide


def test_each_queue_has_its_own_scalable_worker_with_a_ping_health_check():
    consumed = {}
    for name in APP_SERVICES:
        found = re.search(r"celery -A config worker -Q (\S+)", str(SERVICES[name].get("command", "")))
        if found:
            consumed[found.group(1)] = name
            assert "inspect ping" in " ".join(SERVICES[name]["healthcheck"]["test"]), name
            assert "container_name" not in SERVICES[name]  # a fixed name cannot be scaled
    assert sorted(consumed) == sorted(QUEUES)


def test_web_has_a_health_check_on_healthz_and_no_fixed_host_port():
    web = SERVICES["web"]
    assert "/healthz" in " ".join(web["healthcheck"]["test"])
    assert all(":" not in str(port) for port in web["ports"])  # replicas would clash on one host port


def test_the_image_ships_pg_dump_of_the_servers_major_version():
    server_major = re.fullmatch(r"postgres:(\d+)", SERVICES["db"]["image"]).group(1)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"ARG POSTGRES_MAJOR={server_major}" in dockerfile
    assert "postgresql-client-${POSTGRES_MAJOR}" in dockerfile
