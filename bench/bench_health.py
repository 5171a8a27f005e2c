"""Health recompute benchmark: seeds a large firm into its own database and prints figures.

    python bench/bench_health.py [--clients 10000] [--keep]

Seeds 10,000 clients, 500,000 interactions, 200,000 fee rows, 100,000 actions and 50,000 entered
measurements (plus stakeholders, relationships and risks) with COPY, then times recompute-all
(median of 3), a plain-SQL reference of the same formula (cross-checked score by score), and the
one-client recompute, and reports queries and peak memory.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/keyline_health_bench")


def prepare_database(keep: bool) -> None:
    name = BENCH_DB.rsplit("/", 1)[1]
    host_args = ["-h", "127.0.0.1", "-U", "postgres"]
    if not keep:
        subprocess.run(["dropdb", *host_args, "--if-exists", name], check=True)
        subprocess.run(["createdb", *host_args, name], check=True)
    env = {**os.environ, "DATABASE_URL": BENCH_DB, "DEBUG": "1"}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True, env=env)


def setup_django() -> None:
    os.environ["DATABASE_URL"] = BENCH_DB
    os.environ.setdefault("DEBUG", "1")
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()


def copy_rows(cursor, table: str, columns: list[str], rows) -> int:
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
        count += 1
    buffer.seek(0)
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(buffer.read())
    return count


def seed(clients: int) -> dict[str, int]:
    from django.db import connection

    from accounts.models import current_financial_year

    rng = random.Random(2026)
    from django.utils import timezone

    today = timezone.localdate()
    last_fy = current_financial_year(today) - 1
    scale = clients / 10_000
    counts: dict[str, int] = {}
    started = time.perf_counter()
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        # Bulk load without the audit triggers: this is a benchmark fixture, not user activity.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("TRUNCATE accounts_client, accounts_user, accounts_tier, accounts_serviceline CASCADE")
        now = "2026-01-01 00:00:00+00"
        copy_rows(
            cursor,
            "accounts_tier",
            ["id", "name", "rank", "description", "workload_weight"],
            [
                (1, "Growth", 1, "", "1.5"),
                (2, "Develop", 2, "", "1.0"),
                (3, "Maintain", 3, "", "0.7"),
            ],
        )
        copy_rows(
            cursor,
            "accounts_serviceline",
            ["id", "name", "active"],
            [(i, f"Line {i}", "t" if i <= 8 else "f") for i in range(1, 11)],
        )
        partners = 200
        copy_rows(
            cursor,
            "accounts_user",
            [
                "id",
                "password",
                "email",
                "full_name",
                "role",
                "job_title",
                "is_active",
                "weekly_digest",
                "date_joined",
                "is_superuser",
            ],
            [
                (i, "!", f"p{i}@bench.example", f"Partner {i}", "partner", "", "t", "t", now, "f")
                for i in range(1, partners + 1)
            ],
        )
        counts["clients"] = copy_rows(
            cursor,
            "accounts_client",
            [
                "id",
                "name",
                "sector",
                "country",
                "tier_id",
                "status",
                "confidential",
                "notes",
                "review_cadence_days",
                "version",
                "created_at",
                "updated_at",
            ],
            [
                (
                    i,
                    f"Client {i:05d}",
                    "Energy",
                    "UK",
                    rng.randint(1, 3),
                    "active",
                    "f",
                    "",
                    91,
                    1,
                    now,
                    now,
                )
                for i in range(1, clients + 1)
            ],
        )
        copy_rows(
            cursor,
            "accounts_assignment",
            ["client_id", "user_id", "role", "start_date", "created_at"],
            [(i, rng.randint(1, partners), "crp", "2020-01-01", now) for i in range(1, clients + 1)],
        )
        counts["interactions"] = copy_rows(
            cursor,
            "stakeholders_interaction",
            [
                "client_id",
                "date",
                "kind",
                "sentiment",
                "summary",
                "follow_up",
                "created_at",
                "external_ref",
            ],
            (
                (
                    rng.randint(1, clients),
                    today - datetime.timedelta(days=rng.randint(0, 730)),
                    "meeting",
                    rng.randint(-2, 2),
                    "Touchpoint",
                    "",
                    now,
                    "",
                )
                for _ in range(int(500_000 * scale))
            ),
        )
        fee_keys = set()
        while len(fee_keys) < int(200_000 * scale):
            fee_keys.add((rng.randint(1, clients), last_fy - rng.randint(0, 2), rng.randint(1, 10)))
        counts["fees"] = copy_rows(
            cursor,
            "accounts_feerecord",
            ["client_id", "financial_year", "service_line_id", "amount"],
            ((c, fy, sl, rng.randint(0, 200_000)) for c, fy, sl in fee_keys),
        )
        copy_rows(
            cursor,
            "planning_accountplan",
            [
                "id",
                "client_id",
                "year",
                "status",
                "north_star",
                "relationship_objectives",
                "value_proposition",
                "persona",
                "version",
                "created_at",
                "updated_at",
            ],
            [(i, i, 2026, "active", "", "", "", "", 1, now, now) for i in range(1, clients + 1)],
        )
        counts["actions"] = copy_rows(
            cursor,
            "planning_action",
            ["plan_id", "description", "owner_id", "due_date", "status", "version", "created_at"],
            (
                (
                    rng.randint(1, clients),
                    "Action",
                    rng.randint(1, partners),
                    today - datetime.timedelta(days=rng.randint(-60, 200)),
                    rng.choice(["open", "done", "done", "dropped"]),
                    1,
                    now,
                )
                for _ in range(int(100_000 * scale))
            ),
        )
        measurement_keys = set()
        while len(measurement_keys) < int(50_000 * scale):
            measurement_keys.add(
                (
                    rng.randint(1, clients),
                    rng.choice(["client_nps", "payment_days"]),
                    today - datetime.timedelta(days=rng.randint(0, 500)),
                )
            )
        counts["measurements"] = copy_rows(
            cursor,
            "health_measurement",
            ["client_id", "measure_key", "value", "measured_on", "note", "created_at"],
            (
                (
                    c,
                    k,
                    rng.randint(0, 10) if k == "client_nps" else rng.randint(10, 150),
                    d,
                    "",
                    now,
                )
                for c, k, d in measurement_keys
            ),
        )
        counts["stakeholders"] = copy_rows(
            cursor,
            "stakeholders_stakeholder",
            [
                "id",
                "client_id",
                "name",
                "job_title",
                "department",
                "seniority",
                "buying_role",
                "attitude",
                "influence",
                "email",
                "phone",
                "status",
                "notes",
                "version",
                "created_at",
                "updated_at",
                "external_id",
            ],
            (
                (
                    i,
                    rng.randint(1, clients),
                    f"Person {i}",
                    "",
                    "",
                    rng.choice(["board", "c_suite", "senior", "other"]),
                    rng.choice(["decision_maker", "user", "influencer"]),
                    0,
                    3,
                    "",
                    "",
                    rng.choice(["active", "left"]),
                    "",
                    1,
                    now,
                    now,
                    "",
                )
                for i in range(1, int(60_000 * scale) + 1)
            ),
        )
        counts["relationships"] = copy_rows(
            cursor,
            "stakeholders_relationship",
            ["stakeholder_id", "user_id", "strength", "is_primary", "notes", "version"],
            (
                (i, rng.randint(1, partners), rng.randint(1, 5), "f", "", 1)
                for i in range(1, int(60_000 * scale) + 1)
                if rng.random() < 0.7
            ),
        )
        counts["risks"] = copy_rows(
            cursor,
            "planning_risk",
            [
                "client_id",
                "title",
                "category",
                "likelihood",
                "impact",
                "mitigation",
                "status",
                "version",
                "created_at",
            ],
            (
                (
                    rng.randint(1, clients),
                    "Risk",
                    "pricing",
                    rng.randint(1, 5),
                    rng.randint(1, 5),
                    "",
                    rng.choice(["open", "closed"]),
                    1,
                    now,
                )
                for _ in range(int(20_000 * scale))
            ),
        )
        for table in (
            "accounts_client",
            "accounts_user",
            "stakeholders_stakeholder",
            "planning_accountplan",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (fixed names)
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("DELETE FROM health_healthscore")
        cursor.execute("ANALYZE")
    counts["seed_seconds"] = round(time.perf_counter() - started, 1)
    return counts


REFERENCE_SQL = """
WITH c AS (SELECT id FROM accounts_client WHERE status <> 'lost'),
m AS (SELECT key, weight::float8 AS w, floor::float8 AS lo, target::float8 AS hi FROM health_measure
      WHERE scorecard_id = %(scorecard)s),
lines AS (SELECT count(*)::float8 AS n FROM accounts_serviceline WHERE active),
contact AS (SELECT client_id, count(*)::float8 AS v FROM stakeholders_interaction
            WHERE date > %(d)s::date - 365 AND date <= %(d)s GROUP BY client_id),
sentiment AS (SELECT client_id, avg(sentiment)::float8 AS v FROM stakeholders_interaction
              WHERE date > %(d)s::date - 180 AND date <= %(d)s GROUP BY client_id),
senior AS (SELECT s.client_id,
                  (count(DISTINCT s.id) FILTER (WHERE r.strength >= 3))::float8
                  / count(DISTINCT s.id) AS v
           FROM stakeholders_stakeholder s
           LEFT JOIN stakeholders_relationship r ON r.stakeholder_id = s.id
           WHERE s.status = 'active'
             AND (s.seniority IN ('board', 'c_suite') OR s.buying_role = 'decision_maker')
           GROUP BY s.client_id),
fees AS (SELECT client_id,
                coalesce(sum(amount) FILTER (WHERE financial_year = %(fy)s), 0) AS recent,
                coalesce(sum(amount) FILTER (WHERE financial_year = %(fy)s - 1), 0) AS earlier
         FROM accounts_feerecord WHERE financial_year IN (%(fy)s, %(fy)s - 1) GROUP BY client_id),
breadth AS (SELECT f.client_id, count(DISTINCT f.service_line_id)::float8 AS billed
            FROM accounts_feerecord f
            JOIN accounts_serviceline sl ON sl.id = f.service_line_id AND sl.active
            WHERE f.financial_year = %(fy)s AND f.amount > 0 GROUP BY f.client_id),
plan AS (SELECT p.client_id, (count(*) FILTER (WHERE a.status = 'done'
                 AND (a.completed_on IS NULL OR a.completed_on <= %(d)s)))::float8 / count(*) AS v
         FROM planning_action a JOIN planning_accountplan p ON p.id = a.plan_id
         WHERE a.due_date > %(d)s::date - 90 AND a.due_date <= %(d)s AND a.status <> 'dropped'
         GROUP BY p.client_id),
risks AS (SELECT client_id, count(*)::float8 AS v FROM planning_risk
          WHERE status = 'open' AND likelihood * impact >= 15 GROUP BY client_id),
entered AS (SELECT DISTINCT ON (measure_key, client_id) measure_key, client_id, value::float8 AS v
            FROM health_measurement WHERE measured_on > %(d)s::date - 365 AND measured_on <= %(d)s
            ORDER BY measure_key, client_id, measured_on DESC),
raw AS (
    SELECT c.id, 'contact_frequency' AS key, coalesce(contact.v, 0) AS v
              FROM c LEFT JOIN contact ON contact.client_id = c.id
    UNION ALL SELECT c.id, 'senior_coverage', coalesce(senior.v, 0)
              FROM c LEFT JOIN senior ON senior.client_id = c.id
    UNION ALL SELECT client_id, 'sentiment', v FROM sentiment
    UNION ALL SELECT client_id, 'fee_growth', ((recent - earlier) * 100 / earlier)::float8
              FROM fees WHERE earlier <> 0
    UNION ALL SELECT c.id, 'service_breadth', coalesce(breadth.billed, 0) / lines.n
              FROM c CROSS JOIN lines
              LEFT JOIN breadth ON breadth.client_id = c.id WHERE lines.n > 0
    UNION ALL SELECT client_id, 'plan_execution', v FROM plan
    UNION ALL SELECT c.id, 'open_risks', coalesce(risks.v, 0)
              FROM c LEFT JOIN risks ON risks.client_id = c.id
    UNION ALL SELECT client_id, measure_key, v FROM entered
),
scored AS (SELECT raw.id, m.w, 100 * least(1, greatest(0, (raw.v - m.lo) / (m.hi - m.lo))) AS s
           FROM raw JOIN m ON m.key = raw.key JOIN c ON c.id = raw.id)
SELECT c.id, round((sum(w * s) / nullif(sum(w), 0))::numeric, 2) AS score,
       round((coalesce(sum(w), 0) / (SELECT sum(w) FROM m))::numeric, 3) AS coverage
FROM c LEFT JOIN scored ON scored.id = c.id GROUP BY c.id
"""


def reference_scores(as_of: datetime.date) -> dict[int, tuple]:
    from django.db import connection

    from accounts.models import current_financial_year
    from health.models import Scorecard

    scorecard = Scorecard.objects.get(is_current=True)
    with connection.cursor() as cursor:
        cursor.execute(
            REFERENCE_SQL,
            {"d": as_of, "fy": current_financial_year(as_of) - 1, "scorecard": scorecard.pk},
        )
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


def timed(function, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="reuse the seeded database")
    options = parser.parse_args()
    prepare_database(options.keep)
    setup_django()
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Client
    from health.models import HealthScore
    from health.services.recompute import (
        client_recompute,
        compute_for,
        load_scorecard,
        scored_client_ids,
        scores_recompute,
    )

    counts = seed(options.clients) if not options.keep else {}
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"Machine load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("Seeded:", ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    from django.utils import timezone

    today = timezone.localdate()

    with CaptureQueriesContext(connection) as queries:
        scores_recompute(as_of=today)
    all_times, _ = timed(lambda: scores_recompute(as_of=today), 3)
    compute_times, _ = timed(lambda: compute_for(load_scorecard(), today, scored_client_ids()), 3)
    reference_times, reference = timed(lambda: reference_scores(today), 3)

    stored = {
        row[0]: (row[1], row[2])
        for row in HealthScore.objects.filter(as_of=today).values_list("client_id", "score", "coverage")
    }
    mismatches = [
        cid
        for cid, (score, coverage) in reference.items()
        if stored.get(cid) is None
        or (score is None) != (stored[cid][0] is None)
        or (score is not None and abs(Decimal(score) - stored[cid][0]) > Decimal("0.011"))
        or abs(Decimal(coverage) - stored[cid][1]) > Decimal("0.0011")
    ]

    client = Client.objects.order_by("?").first()
    with CaptureQueriesContext(connection) as one_queries:
        client_recompute(client=client, as_of=today)
    one_times, _ = timed(lambda: client_recompute(client=client, as_of=today), 20)

    tracemalloc.start()
    scores_recompute(as_of=today)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    median_all, median_ref = statistics.median(all_times), statistics.median(reference_times)
    print(f"Clients scored: {len(stored):,}")
    print(
        f"Recompute-all (compute + upsert + alerts): median {median_all:.0f} ms of 3 "
        f"{[round(t) for t in all_times]}, {len(queries)} SQL queries"
    )
    print(f"  of which computing (aggregates + formula): median {statistics.median(compute_times):.0f} ms")
    print(f"Plain-SQL reference (one statement): median {median_ref:.0f} ms of 3")
    print(
        f"Ratio recompute-all / SQL reference: {median_all / median_ref:.2f}x; "
        f"compute-only / SQL reference: {statistics.median(compute_times) / median_ref:.2f}x"
    )
    print(
        f"Cross-check: {len(reference) - len(mismatches):,} of {len(reference):,} clients equal "
        f"(score ±0.01, coverage ±0.001); mismatches: {mismatches[:10]}"
    )
    print(
        f"One-client recompute: median {statistics.median(one_times):.1f} ms, "
        f"p95 {sorted(one_times)[int(len(one_times) * 0.95) - 1]:.1f} ms, "
        f"{len(one_queries)} SQL queries"
    )
    print(
        f"Peak Python memory during recompute-all: {peak / 1e6:.1f} MB; "
        f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
