"""docker-compose.yml scales as written: migrations run once, a worker per queue, health checks,
and client tools that match the database server."""

import re
from pathlib import Path

import yaml

from config.queues import QUEUES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = [name for name, service in SERVICES.items() if service.get("build")]


def test_only_the_one_off_migrate_service_migrates_and_every_app_process_waits_for_it():
    migrating = [name for name in APP_SERVICES if "migrate" in str(SERVICES[name].get("command", ""))]
    assert migrating == ["migrate"]
    for name in APP_SERVICES:
        if name != "migrate":
            assert SERVICES[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name


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
