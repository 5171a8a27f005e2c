"""PDF reports: an account review and a 50-client quarterly pack, rendered as the worker does.

    .venv/bin/python bench/bench_pdf.py [--clients 50] [--runs 3]

Prints render time (median of the runs), pages, SQL queries of the data gathering and the
process's peak memory. Targets: account review ≤ 1.0 s; 50-client pack ≤ 25 s and ≤ 600 MB.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "keyline_bench_pdf"

parser = argparse.ArgumentParser()
parser.add_argument("--clients", type=int, default=50)
parser.add_argument("--runs", type=int, default=3)
options = parser.parse_args()


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    base = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
    os.environ["DATABASE_URL"] = f"{base}/{DATABASE}"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("DEBUG", "false")
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


setup_django()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Assignment, Client, FeeRecord, ServiceLine, Tier, User  # noqa: E402
from health.models import HealthScore, Scorecard  # noqa: E402
from planning.models import AccountPlan, Action, ClientReview, Objective, Opportunity, Risk  # noqa: E402
from reports.models import Report  # noqa: E402
from reports.pdf.build import build_report  # noqa: E402
from reports.pdf.periods import Quarter  # noqa: E402
from reports.pdf.readers import gather  # noqa: E402
from stakeholders.models import Interaction, Relationship, Stakeholder  # noqa: E402

QUARTER = Quarter(2026, 3)
PREFIX = "Bench client"


def seed(count: int) -> None:
    """Bulk-write `count` clients with scores, fees, plans, pipeline, people and contacts."""
    if Client.objects.filter(name__startswith=PREFIX).count() >= count:
        return
    tier, _ = Tier.objects.get_or_create(name="Growth", defaults={"rank": 1})
    lines = [ServiceLine.objects.get_or_create(name=n)[0] for n in ["Tax", "Audit", "Advisory"]]
    scorecard = Scorecard.objects.filter(is_current=True).first() or Scorecard.objects.create(
        version=900, is_current=True
    )
    partners = [
        User.objects.get_or_create(email=f"bench{i}@firm.example", defaults={"full_name": f"Bench Partner {i}"})[0]
        for i in range(12)
    ]
    User.objects.get_or_create(
        email="bench-mp@firm.example",
        defaults={"full_name": "Bench Managing", "role": "managing_partner"},
    )
    recorded = timezone.make_aware(datetime.datetime(2026, 7, 1, 9))
    with transaction.atomic():
        clients = Client.objects.bulk_create(
            Client(name=f"{PREFIX} {i:03d} plc", tier=tier, sector="Energy") for i in range(count)
        )
        Assignment.objects.bulk_create(
            Assignment(
                client=c,
                user=partners[i % 12],
                role="crp",
                start_date=datetime.date(2019 + i % 6, 1, 1),
            )
            for i, c in enumerate(clients)
        )
    scores, fees, plans, opps, risks, people, reviews = [], [], [], [], [], [], []
    for i, c in enumerate(clients):
        for q, quarter in enumerate(QUARTER.back(6)):
            value = Decimal(35 + (i * 7 + q * 5) % 60)
            band = "green" if value >= 70 else "amber" if value >= 40 else "red"
            components = [
                {
                    "key": f"m{k}",
                    "name": f"Measure {k}",
                    "raw": k,
                    "normalised": float(value),
                    "weight": 1,
                    "contribution": float(value) / 6,
                    "missing": False,
                }
                for k in range(6)
            ]
            scores.append(
                HealthScore(
                    client=c,
                    as_of=quarter.end - datetime.timedelta(days=2),
                    score=value,
                    coverage=Decimal("0.9"),
                    band=band,
                    scorecard=scorecard,
                    components=components,
                )
            )
        for year in (2025, 2026, 2027):
            for j, line in enumerate(lines):
                fees.append(
                    FeeRecord(
                        client=c,
                        service_line=line,
                        financial_year=year,
                        amount=Decimal(100000 + 10000 * ((i + j + year) % 9)),
                    )
                )
        plans.append(
            AccountPlan(
                client=c,
                year=2026,
                status="active",
                north_star="Grow in Asia and cut costs. Win the group audit.",
            )
        )
        opps += [
            Opportunity(
                client=c,
                service_line=lines[k % 3],
                description=f"Opportunity {k} for {c.name}",
                estimated_fees=Decimal(50000 * (k + 1)),
                probability=20 + 10 * k,
            )
            for k in range(5)
        ]
        risks += [
            Risk(
                client=c,
                title=f"Risk {k} at {c.name}",
                category="competitor",
                likelihood=1 + k % 5,
                impact=1 + (k * 2) % 5,
            )
            for k in range(4)
        ]
        people += [
            Stakeholder(
                client=c,
                name=f"Person {k} of {i}",
                seniority=["board", "c_suite", "senior"][k % 3],
                buying_role=["decision_maker", "influencer", "user"][k % 3],
            )
            for k in range(10)
        ]
        reviews.append(
            ClientReview(
                client=c,
                planned_date=datetime.date(2026, 7, 15),
                held_date=datetime.date(2026, 7, 15),
            )
        )
    HealthScore.objects.bulk_create(scores)
    FeeRecord.objects.bulk_create(fees)
    plans = AccountPlan.objects.bulk_create(plans)
    Opportunity.objects.bulk_create(opps)
    Risk.objects.bulk_create(risks)
    Opportunity.objects.filter(client__in=clients).update(created_at=recorded)
    Risk.objects.filter(client__in=clients).update(created_at=recorded)
    people = Stakeholder.objects.bulk_create(people)
    ClientReview.objects.bulk_create(reviews)
    Relationship.objects.bulk_create(
        Relationship(stakeholder=p, user=partners[k % 12], strength=1 + k % 5)
        for k, p in enumerate(people)
        if k % 2 == 0
    )
    Objective.objects.bulk_create(
        Objective(plan=p, title=f"Objective {k}", target_value=10, current_value=k * 2) for p in plans for k in range(4)
    )
    Action.objects.bulk_create(
        Action(
            plan=p,
            description=f"Action {k}",
            owner=partners[k % 12],
            due_date=datetime.date(2026, 6 + k % 6, 10),
            status="done" if k % 3 else "open",
        )
        for p in plans
        for k in range(10)
    )
    interactions = Interaction.objects.bulk_create(
        Interaction(
            client=c,
            date=datetime.date(2026, 4 + k % 6, 1 + k),
            summary=f"Meeting {k}",
            sentiment=k % 3 - 1,
        )
        for c in clients
        for k in range(20)
    )
    Interaction.firm_attendees.through.objects.bulk_create(
        Interaction.firm_attendees.through(interaction=x, user=partners[n % 12]) for n, x in enumerate(interactions)
    )


def run(report: Report, runs: int) -> dict:
    """Wall time, and CPU time too: on a shared machine the CPU time says what the render costs."""
    wall, cpu, pages = [], [], 0
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        built = build_report(report)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        pages = built.pdf.pages
    return {"median_s": statistics.median(wall), "cpu_s": statistics.median(cpu), "pages": pages}


def queries_to_gather(client_ids: list[int]) -> int:
    with CaptureQueriesContext(connection) as captured:
        gather(client_ids, QUARTER)
    return len(captured)


started = time.perf_counter()
seed(options.clients)
ids = list(Client.objects.filter(name__startswith=PREFIX).order_by("name").values_list("pk", flat=True))
ids = ids[: options.clients]
print(f"seeded {len(ids)} clients in {time.perf_counter() - started:.1f}s")
requester = User.objects.get(email="bench-mp@firm.example")
review = Report(
    kind="account_review",
    scope={"type": "client", "id": ids[0]},
    period_start=QUARTER.start,
    period_end=QUARTER.end,
    requested_by=requester,
)
pack = Report(
    kind="quarterly_pack",
    scope={"type": "firm"},
    period_start=QUARTER.start,
    period_end=QUARTER.end,
    requested_by=requester,
)
build_report(review)  # warm-up: fonts and templates load once per worker process

review_figures = run(review, options.runs)
pack_figures = run(pack, options.runs)
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"\nPDF reports, {QUARTER} ({options.runs} runs each)")
print(f"{'report':<28} {'pages':>6} {'median s':>9} {'CPU s':>7} {'queries':>8} {'target':>10}")
rows = [
    ("account review", review_figures, ids[:1], "≤ 1.0 s"),
    (f"quarterly pack, {len(ids)} clients", pack_figures, ids, "≤ 25 s"),
]
for label, figures, client_ids, target in rows:
    print(
        f"{label:<28} {figures['pages']:>6} {figures['median_s']:>9.2f} {figures['cpu_s']:>7.2f} "
        f"{queries_to_gather(client_ids):>8} {target:>10}"
    )
print(f"peak memory of the process: {peak_mb:.0f} MB (target ≤ 600 MB)")
print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
