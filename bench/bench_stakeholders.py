"""Stakeholder pages for one client with 200 stakeholders and 5,000 interactions, as its CRP.

    .venv/bin/python bench/bench_stakeholders.py [--stakeholders 200] [--interactions 5000] [--requests 60]

Seeds its own database (keyline_bench_stakeholders), then prints, per page: SQL queries of one
request, median and p95 server time over --requests requests through django.test.Client, and the
process's peak memory. Targets: ≤ 10 queries and p95 ≤ 60 ms for org chart, coverage gaps, timeline.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "keyline_bench_stakeholders"

parser = argparse.ArgumentParser()
parser.add_argument("--stakeholders", type=int, default=200)
parser.add_argument("--interactions", type=int, default=5000)
parser.add_argument("--requests", type=int, default=60)
options = parser.parse_args()


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    server = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
    os.environ["DATABASE_URL"] = f"{server}/{DATABASE}"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    for name, value in [
        ("DEBUG", "false"),
        ("SECURE_SSL_REDIRECT", "false"),
        ("SESSION_COOKIE_SECURE", "false"),
        ("AXES_ENABLED", "false"),
    ]:
        os.environ.setdefault(name, value)
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)


setup_django()

from django.db import connection, transaction  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402

from accounts.models import Assignment, Client, Role, Tier, User  # noqa: E402
from stakeholders.models import Interaction, Relationship, Stakeholder  # noqa: E402

SENIORITY = ["board", "c_suite", "senior", "middle", "other"]
ROLES = ["decision_maker", "influencer", "gatekeeper", "champion", "user", "blocker"]
KINDS = ["meeting", "call", "email", "event", "client_review", "social"]


def seed(stakeholders: int, interactions: int) -> tuple[Client, User]:
    rng = random.Random(7)
    from django.utils import timezone

    today = timezone.localdate()
    people = User.objects.bulk_create(
        [
            User(email=f"p{i}@bench.example", full_name=f"Partner {i:02d}", role=Role.PARTNER if i % 5 else Role.BD)
            for i in range(30)
        ]
    )
    tier = Tier.objects.get_or_create(name="Growth", defaults={"rank": 1})[0]
    with transaction.atomic():
        client = Client.objects.create(name="Benchmark Holdings plc", tier=tier)
        Assignment.objects.create(client=client, user=people[1], role="crp", start_date=today.replace(year=2020))
    rows = []
    for i in range(stakeholders):
        level = 0 if i < 3 else 1 if i < 10 else 2 if i < 40 else 3
        rows.append(
            Stakeholder(
                client=client,
                name=f"Stakeholder {i:03d}",
                job_title=f"Title {i}",
                department=rng.choice(["Finance", "Legal", "Operations", "Strategy", "HR"]),
                seniority=SENIORITY[min(level + rng.randint(0, 1), 4)],
                buying_role=rng.choice(ROLES),
                attitude=rng.randint(-2, 2),
                influence=rng.randint(1, 5),
            )
        )
    Stakeholder.objects.bulk_create(rows)
    for i, person in enumerate(rows[3:], 3):  # a tree: each reports to someone earlier in the list
        person.reports_to_id = rows[rng.randrange(0, min(i, 3 if i < 10 else 10 if i < 40 else 40))].pk
    Stakeholder.objects.bulk_update(rows[3:], ["reports_to"])
    rels = []
    for person in rows:
        for n, user in enumerate(rng.sample(people, k=rng.randint(0, 3))):
            rels.append(
                Relationship(
                    stakeholder=person,
                    user=user,
                    strength=rng.randint(1, 5),
                    target_strength=rng.choice([None, 4, 5]),
                    is_primary=n == 0,
                )
            )
    Relationship.objects.bulk_create(rels)
    made = Interaction.objects.bulk_create(
        [
            Interaction(
                client=client,
                date=today - datetime.timedelta(days=rng.randint(0, 5 * 365)),
                kind=rng.choice(KINDS),
                sentiment=rng.randint(-2, 2),
                summary=f"Touchpoint {i}",
            )
            for i in range(interactions)
        ],
        batch_size=2000,
    )
    attendees, met = Interaction.firm_attendees.through, Interaction.stakeholders.through
    attendees.objects.bulk_create(
        [attendees(interaction_id=i.pk, user_id=u.pk) for i in made for u in rng.sample(people, k=rng.randint(1, 2))],
        batch_size=5000,
    )
    met.objects.bulk_create(
        [met(interaction_id=i.pk, stakeholder_id=s.pk) for i in made for s in rng.sample(rows, k=rng.randint(1, 3))],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return client, people[1]


def measure(http: HttpClient, url: str, requests: int, **headers) -> dict:
    http.get(url, **headers)  # warm-up
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = http.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    timings, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        http.get(url, **headers)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    timings.sort()
    return {
        "url": url,
        "queries": len(queries),
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, int(len(timings) * 0.95) - 1)],
        "cpu_ms": statistics.median(cpu),
        "requests": requests,
    }


started = time.perf_counter()
client, crp = seed(options.stakeholders, options.interactions)
print(
    f"seeded {Stakeholder.objects.count()} stakeholders, {Relationship.objects.count()} relationships, "
    f"{Interaction.objects.count()} interactions in {time.perf_counter() - started:.1f}s"
)
http = HttpClient()
http.force_login(crp)
base = f"/clients/{client.pk}"
pages = [
    (f"{base}/stakeholders/", "org chart", True),
    (f"{base}/stakeholders/gaps/", "coverage gaps", True),
    (f"{base}/interactions/", "timeline", True),
    (f"{base}/interactions/?kind=meeting&page=3", "timeline, filtered, page 3", True),
    (f"{base}/stakeholders/map/", "influence × attitude", False),
    (f"{base}/stakeholders/matrix/", "coverage matrix", False),
    (f"{base}/", "client page with stakeholder section", False),
]
rows = [{**measure(http, url, options.requests), "name": name, "target": target} for url, name, target in pages]
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(
    f"\nStakeholder pages: {options.stakeholders} stakeholders, {options.interactions} interactions "
    "(targets: ≤ 10 queries, p95 ≤ 60 ms on the first three)"
)
print(f"{'page':<40} {'queries':>7} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>7} {'n':>4}  target")
for row in rows:
    verdict = ("met" if row["queries"] <= 10 and row["p95_ms"] <= 60 else "MISSED") if row["target"] else "—"
    print(
        f"{row['name']:<40} {row['queries']:>7} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f} "
        f"{row['cpu_ms']:>7.1f} {row['requests']:>4}  {verdict}"
    )
print(f"peak memory of the benchmark process: {peak_mb:.0f} MB")
print("cpu ms: median Python CPU time of the request in this process (the part the machine's load inflates least)")
print(f"load average while measuring: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
