"""Feed benchmark: a fee file of N rows (default 1,000,000) checked and imported, then sent again.

Prints rows per second and the process's peak memory for the dry run, the import and the re-run
(which changes nothing), then the group page of a 50-member group beside the client page.

    .venv/bin/python bench/bench_feeds.py [--rows 1000000] [--clients 500] [--profile]

Uses its own database (keyline_feeds_bench on the machine's PostgreSQL).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import measure, print_table, setup_django

LINES = ["Tax", "Disputes", "Corporate", "Employment", "Real Estate"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(clients: int):
    from accounts.models import Client, FeeRecord, Role, ServiceLine, Tier, User
    from feeds.models import ClientKey, FeedRun, FeedStamp, FeeLine
    from health.models import HealthScore, Scorecard
    from tests.factories import ClientFactory, ScorecardFactory, UserFactory

    FeeLine.objects.all().delete()
    FeedStamp.objects.all().delete()
    FeedRun.objects.all().delete()
    FeeRecord.objects.all().delete()
    HealthScore.objects.all().delete()
    ClientKey.objects.all().delete()
    bd = User.objects.filter(email="bench.bd@firm.example").first() or UserFactory(
        email="bench.bd@firm.example", role=Role.BD
    )
    mp = User.objects.filter(email="bench.mp@firm.example").first() or UserFactory(
        email="bench.mp@firm.example", role=Role.MANAGING_PARTNER
    )
    for name in LINES:
        ServiceLine.objects.get_or_create(name=name)
    Tier.objects.get_or_create(name="Growth", defaults={"rank": 1})
    existing = Client.objects.filter(name__startswith="Bench client ").count()
    for n in range(existing, clients):
        ClientFactory(name=f"Bench client {n:05d}", crp=bd)
    ids = list(Client.objects.filter(name__startswith="Bench client ").order_by("pk").values_list("pk", flat=True))
    ClientKey.objects.bulk_create([ClientKey(client_id=pk, key=f"C{n:05d}") for n, pk in enumerate(ids)])
    # A group of 50: the first client over the next 49 (two levels deep), each scored.
    Client.objects.filter(pk__in=ids[:50]).update(parent=None)
    for n, pk in enumerate(ids[1:50], 1):
        Client.objects.filter(pk=pk).update(parent_id=ids[0] if n < 10 else ids[1 + n % 9])
    card = Scorecard.objects.order_by("-is_current", "-version").first() or ScorecardFactory()
    from django.utils import timezone

    today = timezone.localdate()
    HealthScore.objects.bulk_create(
        HealthScore(
            client_id=pk,
            as_of=today,
            score=Decimal(40 + pk % 50),
            coverage=Decimal("0.8"),
            band="amber",
            scorecard=card,
        )
        for pk in ids[:50]
    )
    analyze()
    return bd, mp, ids


def analyze() -> None:
    """Autovacuum may be off on a benchmark machine: give the planner today's row counts."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def write_file(path: str, rows: int, clients: int, year: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("Bill Line ID,Client Number,Practice Area,Bill Date,Fees Billed,Currency\r\n")
        for n in range(rows):
            day = f"{year - 1}-{n % 12 + 1:02d}-28"
            handle.write(f"BL-{n},C{n % clients:05d},{LINES[n % len(LINES)]},{day},{100 + n % 997}.50,GBP\r\n")


def timed(label: str, action):
    started = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - started
    return label, elapsed, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    setup_django("keyline_feeds_bench")
    from django.core.files import File
    from django.test import Client as HttpClient

    from accounts.selectors import last_complete_financial_year
    from feeds import services
    from feeds.models import FeedRun, FeeLine

    bd, mp, ids = seed(args.clients)
    year = last_complete_financial_year()
    path = os.path.join(tempfile.gettempdir(), f"bench-fees-{args.rows}.csv")
    write_file(path, args.rows, args.clients, year)
    size = os.path.getsize(path) / 1024 / 1024
    print(f"Fee file: {args.rows:,} rows, {size:.0f} MB, {args.clients} clients × {len(LINES)} service lines")
    print(f"Peak memory before: {peak_mb():.0f} MB")
    results = []
    profile = cProfile.Profile() if args.profile else None

    def send(mapping_check: bool = True) -> FeedRun:
        with open(path, "rb") as raw:
            run = services.feed_upload(actor=bd, kind="fees", upload=File(raw, name="fees.csv"), source_name="3E bench")
        return run

    for label in ["first import", "same file again"]:
        run = send()
        if profile:
            profile.enable()
        name, elapsed, _ = timed("dry run", lambda run=run: services.feed_map(actor=bd, run=run, mapping=run.mapping))
        run.refresh_from_db()
        assert run.status == "checked", (run.status, run.message, run.errors[:3])
        results.append((f"{label}: {name}", elapsed, run.rows_total, peak_mb()))
        name, elapsed, _ = timed("import", lambda run=run: services.feed_import(actor=bd, run=run, mode="all"))
        if profile:
            profile.disable()
        run.refresh_from_db()
        assert run.status == "done", (run.status, run.message)
        results.append(
            (f"{label}: {name} ({run.created:,} new, {run.unchanged:,} unchanged)", elapsed, run.rows_total, peak_mb())
        )
    os.unlink(path)
    analyze()
    print(f"\n{'step':<58} {'seconds':>8} {'rows/s':>9} {'peak MB':>8}")
    for name, elapsed, rows, peak in results:
        print(f"{name:<58} {elapsed:>8.1f} {rows / elapsed:>9,.0f} {peak:>8.0f}")
    print(f"Fee lines stored: {FeeLine.objects.count():,}")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)

    http = HttpClient()
    http.force_login(mp)
    print_table(
        "Group page (50 members) against the client page, as a managing partner",
        [
            measure(http, f"/clients/{ids[0]}/group/", requests=15),
            measure(http, f"/clients/{ids[0]}/", requests=15),
        ],
    )


if __name__ == "__main__":
    main()
