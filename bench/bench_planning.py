"""Benchmark: the plan page and My actions for a partner with 40 clients.

One plan holds 100 actions, 50 opportunities and 50 risks; the partner owns open actions on
every client. Seeds its own database (keyline_bench_planning unless BENCH_DATABASE_URL says
otherwise), then prints queries, median / p95 server time and memory over REQUESTS requests.

    .venv/bin/python bench/bench_planning.py
"""

from __future__ import annotations

import datetime
import os
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/keyline_bench_planning")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_env")

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))
CLIENTS = 40
ACTIONS, OPPORTUNITIES, RISKS = 100, 50, 50


def recreate_database() -> None:
    import psycopg

    base, name = DATABASE_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed():
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Assignment, Client, Role, ServiceLine, Tier, User
    from planning.models import AccountPlan, Action, ClientReview, Objective, Opportunity, Risk

    today = timezone.localdate()
    with transaction.atomic():
        tier = Tier.objects.get_or_create(name="Growth", defaults={"rank": 1})[0]
        line = ServiceLine.objects.get_or_create(name="Corporate")[0]
        partner = User.objects.create_user(
            "bench.partner@firm.example", "x", full_name="Bench Partner", role=Role.PARTNER
        )
        others = [User.objects.create_user(f"p{i}@firm.example", "x", full_name=f"Partner {i}") for i in range(5)]
        clients = Client.objects.bulk_create([Client(name=f"Bench client {i:02d}", tier=tier) for i in range(CLIENTS)])
        Assignment.objects.bulk_create(
            [Assignment(client=c, user=partner, role="crp", start_date=today) for c in clients]
        )
        plans = AccountPlan.objects.bulk_create(
            [AccountPlan(client=c, year=today.year, status="active", north_star="Grow") for c in clients]
        )
        big = plans[0]
        objectives = Objective.objects.bulk_create(
            [Objective(plan=big, title=f"Objective {i}", target_value=10, current_value=i) for i in range(10)]
        )
        Action.objects.bulk_create(
            [
                Action(
                    plan=big,
                    description=f"Action {i}",
                    owner=partner if i % 2 else others[i % 5],
                    objective=objectives[i % 10],
                    due_date=today + datetime.timedelta(days=i - 30),
                    status="done" if i % 7 == 0 else "open",
                )
                for i in range(ACTIONS)
            ]
            + [
                Action(
                    plan=p,
                    description=f"Follow-up {i}",
                    owner=partner,
                    due_date=today + datetime.timedelta(days=i * 3 - 10),
                )
                for p in plans[1:]
                for i in range(5)
            ]
        )
        Opportunity.objects.bulk_create(
            [
                Opportunity(
                    client=big.client,
                    service_line=line,
                    description=f"Opportunity {i}",
                    owner=partner,
                    estimated_fees=Decimal(10_000 * (i + 1)),
                    probability=(i * 7) % 100,
                    stage=["identified", "qualified", "proposal", "won", "lost"][i % 5],
                )
                for i in range(OPPORTUNITIES)
            ]
        )
        Risk.objects.bulk_create(
            [
                Risk(
                    client=big.client,
                    title=f"Risk {i}",
                    category="competitor",
                    likelihood=1 + i % 5,
                    impact=1 + (i * 3) % 5,
                    owner=partner,
                )
                for i in range(RISKS)
            ]
        )
        ClientReview.objects.bulk_create(
            [
                ClientReview(
                    client=big.client,
                    planned_date=today - datetime.timedelta(days=90 * i),
                    held_date=today - datetime.timedelta(days=90 * i),
                )
                for i in range(8)
            ]
        )
    return partner, big


def measure(http, url: str) -> dict[str, float]:
    from django.db import connection

    http.get(url)  # warm-up: templates compiled, the calendar token made
    queries: list[str] = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        assert http.get(url).status_code == 200
    timings, cpu = [], []
    for _ in range(REQUESTS):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = http.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
    timings.sort()
    return {
        "queries": len(queries),
        "median": statistics.median(timings),
        "p95": percentile(timings, 95),
        "cpu": statistics.median(cpu),
        "bytes": len(response.content),
    }


def percentile(sorted_values: list[float], pct: int) -> float:
    return sorted_values[min(len(sorted_values) - 1, round(len(sorted_values) * pct / 100) - 1)]


def main() -> None:
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client as HttpClient

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    partner, plan = seed()
    print(
        f"seeded {CLIENTS} clients, plan with {ACTIONS} actions / {OPPORTUNITIES} opportunities / "
        f"{RISKS} risks in {time.perf_counter() - started:.1f}s"
    )
    http = HttpClient()
    http.force_login(partner)
    from config.serving import prepare_for_serving

    prepare_for_serving()  # as config/wsgi.py prepares a served process
    print(
        f"{'page':<14}{'queries':>8}{'median ms':>11}{'p95 ms':>9}{'cpu ms':>9}{'KiB':>7}"
        f"   ({REQUESTS} requests; cpu = median process time, unaffected by other load)"
    )
    for name, url in [
        ("plan page", f"/plans/{plan.pk}/"),
        ("My actions", "/my/actions/"),
        ("plan history", f"/plans/{plan.pk}/history/"),
    ]:
        figures = measure(http, url)
        print(
            f"{name:<14}{figures['queries']:>8}{figures['median']:>11.1f}{figures['p95']:>9.1f}"
            f"{figures['cpu']:>9.1f}{figures['bytes'] / 1024:>7.0f}"
        )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"peak memory (RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print("target: <= 15 queries, p95 <= 60 ms")


if __name__ == "__main__":
    main()
