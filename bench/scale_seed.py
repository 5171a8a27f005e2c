"""Grow the demo firm to benchmark scale in set-based SQL (10×: 50,000 clients, 500 partners, 2 M
interactions and five years of daily health scores, about 91 M score rows).

`seed_demo --no-packs` first builds a modest demo firm with every app's believable data (logins,
playbooks, listening, stewardship...); the statements here then add partners, clients and each
client's team, fees, stakeholders, relationships, interactions, plans, objectives, actions,
opportunities, risks and reviews, and the daily scores of every client. Each step is skipped when
its rows are already there, so a second run only checks.

The loading session runs with `session_replication_role = replica`: no per-row trigger fires
(pghistory's audit events, the deferred integrity triggers, foreign-key checks), as for a restore.
The rows are made to satisfy those rules anyway. The score table's secondary indexes are dropped
before its load and rebuilt after it (measured on 2.7 M rows: 60 s with the indexes maintained row
by row, 7 s + 9 s dropped and rebuilt; on the full 91 M rows, 945 s of load and 485 s of rebuild),
and the run ends with VACUUM ANALYZE (autovacuum is off on the benchmark machine: without
statistics and a visibility map the plans and index-only scans are not those of a live firm).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management import call_command
from django.db import connection

BASE_CLIENTS = 1000  # the demo firm seed_demo builds before the SQL grows it


@dataclass(frozen=True)
class Scale:
    clients: int
    partners: int
    score_years: int
    interactions_per_client: int

    @property
    def score_days(self) -> int:
        return round(365.25 * self.score_years)


SCALES = {"10x": Scale(clients=50_000, partners=500, score_years=5, interactions_per_client=40)}

NEW_PARTNERS = """
INSERT INTO accounts_user (password, is_superuser, email, full_name, role, job_title, is_active, date_joined,
    office_id, practice_group_id, weekly_digest)
SELECT p.password, false, 'partner' || g || '@keyline.example', 'Partner ' || g, 'partner', 'Partner', true, now(),
       (SELECT id FROM accounts_office ORDER BY id OFFSET g %% 6 LIMIT 1),
       (SELECT id FROM accounts_practicegroup ORDER BY id OFFSET g %% 6 LIMIT 1), false
FROM generate_series(0, %(partners)s - 1) g
CROSS JOIN (SELECT password FROM accounts_user WHERE email = 'partner@keyline.example') p
WHERE NOT EXISTS (SELECT 1 FROM accounts_user u WHERE u.email = 'partner' || g || '@keyline.example')
  AND g > 0
"""

# Clients beyond the demo's: numbered names in the demo's sectors, 1 in 17 confidential as there.
NEW_CLIENTS = """
INSERT INTO accounts_client (name, sector, country, status, confidential, notes, review_cadence_days, version,
    created_at, updated_at, tier_id, parent_id)
SELECT (ARRAY['Northwind','Blackmoor','Silverline','Harbour','Meridian','Crown','Atlas','Beacon','Granite',
               'Summit'])[1 + g %% 10] || ' ' ||
       (ARRAY['Capital','Energy','Health','Systems','Retail','Infrastructure','Insurance','Pharma','Media',
              'Council','Engineering','Logistics'])[1 + g %% 12] || ' ' || lpad(g::text, 6, '0') || ' Ltd',
       (ARRAY['Financial services','Energy','Healthcare','Technology','Retail','Infrastructure','Insurance',
              'Pharmaceuticals','Media','Public sector','Manufacturing','Transport'])[1 + g %% 12],
       (ARRAY['United Kingdom','United Kingdom','United Kingdom','Ireland','United States','Germany','France',
              'Singapore','Netherlands'])[1 + g %% 9],
       CASE WHEN g %% 10 = 0 THEN (ARRAY['dormant','lost'])[1 + g / 10 %% 2] ELSE 'active' END,
       g %% 17 = 3, %(marker)s, 91, 1, now() - (g %% 3000) * interval '1 day', now(),
       (SELECT id FROM accounts_tier ORDER BY rank OFFSET (CASE WHEN g %% 4 = 0 THEN 0 WHEN g %% 5 < 3 THEN 1
                                                                ELSE 2 END) LIMIT 1),
       NULL
FROM generate_series((SELECT count(*) FROM accounts_client) + 1, %(clients)s) g
"""

# Clients without a team get one: the CRP round-robin over all partners (about clients / partners
# each, the demo partner login included), a SAM and one or two team members; a third had a CRP before.
TEAMS = [
    """
CREATE TEMP TABLE scale_partner AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM accounts_user WHERE role = 'partner'
""",
    """
CREATE TEMP TABLE scale_new_client AS
SELECT row_number() OVER (ORDER BY c.id) - 1 AS n, c.id FROM accounts_client c WHERE c.notes = %(marker)s
""",
    """
INSERT INTO accounts_assignment (role, start_date, end_date, created_at, user_id, client_id)
SELECT r.role, current_date - (200 + c.n %% 1500)::int - r.shift, r.ended, now(), p.id, c.id
FROM scale_new_client c
CROSS JOIN LATERAL (VALUES
    ('crp', 0, NULL::date, 0),
    ('sam', 0, NULL::date, 1),
    ('team', 0, NULL::date, 2),
    ('team', 0, CASE WHEN c.n %% 2 = 0 THEN NULL::date END, 3),
    ('crp', 1095, current_date - (200 + c.n %% 1500)::int, 4)
) AS r(role, shift, ended, k)
JOIN scale_partner p ON p.n = (c.n + r.k * 7 + (r.k / 4) * 3) %% (SELECT count(*) FROM scale_partner)
WHERE (r.k < 3 OR (r.k = 3 AND c.n %% 2 = 0) OR (r.k = 4 AND c.n %% 3 = 0))
""",
]

SERVICE_LINES_AND_FEES = [
    """
INSERT INTO accounts_client_service_lines (client_id, serviceline_id)
SELECT c.id, sl.id FROM scale_new_client c
CROSS JOIN generate_series(0, 2) g
JOIN LATERAL (SELECT id FROM accounts_serviceline ORDER BY id OFFSET (c.n + g * 3) %% 8 LIMIT 1) sl ON true
ON CONFLICT DO NOTHING
""",
    """
INSERT INTO accounts_feerecord (financial_year, amount, client_id, service_line_id)
SELECT y.year, round((50000 + (c.n * 7919 %% 400000)) * (1 + (c.n %% 7 - 3) * 0.04 * (y.year - y.first)), -2),
       c.id, cs.serviceline_id
FROM scale_new_client c
JOIN accounts_client_service_lines cs ON cs.client_id = c.id
CROSS JOIN (SELECT max(financial_year) - 4 AS first FROM accounts_feerecord) f
CROSS JOIN LATERAL (SELECT f.first, generate_series(f.first, f.first + 4) AS year) y
""",
]

PEOPLE = [  # each grown client's first stakeholder id and head count (their ids are consecutive)
    """
CREATE TEMP TABLE scale_people AS
SELECT client_id, min(id) AS first_id, count(*) AS people FROM stakeholders_stakeholder
WHERE client_id IN (SELECT id FROM scale_new_client) GROUP BY client_id
""",
    "ANALYZE scale_people",
]

STAKEHOLDERS = [
    """
INSERT INTO stakeholders_stakeholder (client_id, name, job_title, department, seniority, buying_role, attitude,
    influence, email, phone, status, notes, version, created_at, updated_at, reports_to_id, external_id)
SELECT c.id,
       (ARRAY['Adrian','Beatrix','Cormac','Delphine','Edmund','Felicity','Gideon','Harriet'])[1 + (c.n + g) %% 8]
       || ' '
       || (ARRAY['Achebe','Brennan','Castellano','Drummond','Eriksen','Fairbairn','Greenwood'])[1 + (c.n * g) %% 7],
       r.title, r.department, r.seniority, r.buying_role, ((c.n + g) %% 5) - 2, 1 + (c.n + g) %% 5,
       'person' || g || '.' || c.id || '@client.example', '', CASE WHEN g = 6 AND c.n %% 4 = 0 THEN 'left'
       ELSE 'active' END, '', 1, now(), now(), NULL, ''
FROM scale_new_client c
CROSS JOIN generate_series(1, 6) g
JOIN (VALUES (1, 'Chief Executive Officer', 'Executive', 'c_suite', 'decision_maker'),
             (2, 'Chief Financial Officer', 'Finance', 'c_suite', 'decision_maker'),
             (3, 'General Counsel', 'Legal', 'c_suite', 'influencer'),
             (4, 'Head of Procurement', 'Procurement', 'senior', 'gatekeeper'),
             (5, 'Head of Legal Operations', 'Legal', 'senior', 'champion'),
             (6, 'Senior Legal Counsel', 'Legal', 'middle', 'user')) AS r(k, title, department, seniority, buying_role)
  ON r.k = g
ORDER BY c.id, g
""",
    *PEOPLE,
    """
UPDATE stakeholders_stakeholder s SET reports_to_id = p.first_id
FROM scale_people p WHERE s.client_id = p.client_id AND s.id <> p.first_id
""",
    """
INSERT INTO stakeholders_relationship (strength, target_strength, is_primary, notes, version, user_id, stakeholder_id)
SELECT 1 + (s.id %% 5), CASE WHEN s.id %% 3 = 0 THEN 5 END, true, '', 1, a.user_id, s.id
FROM stakeholders_stakeholder s
JOIN scale_people p ON p.client_id = s.client_id
JOIN accounts_assignment a ON a.client_id = s.client_id AND a.role = 'crp' AND a.end_date IS NULL
WHERE s.id %% 3 <> 2
""",
]

INTERACTIONS = [
    """
INSERT INTO stakeholders_interaction (date, kind, sentiment, summary, follow_up, created_at, external_ref, client_id,
    created_by_id, capture_key, source)
SELECT current_date - ((c.n * 7 + g * (%(score_days)s / %(per_client)s)) %% %(score_days)s)::int,
       (ARRAY['meeting','meeting','call','call','email','event','client_review','social'])[1 + (c.n + g) %% 8],
       ((c.n + g) %% 5) - 2,
       (ARRAY['Quarterly relationship meeting','Call on the refinancing timetable','Sent our briefing on the new rules',
              'Attended our general counsel forum','Annual client review','Dinner after the board offsite',
              'Catch-up call on fees','Walked through the regulatory change programme'])[1 + (c.n * 3 + g) %% 8],
       '', now(), '', c.id, NULL, '', 'manual'
FROM scale_new_client c CROSS JOIN generate_series(1, %(per_client)s) g
ORDER BY c.id, g
""",
    """
INSERT INTO stakeholders_interaction_firm_attendees (interaction_id, user_id)
SELECT i.id, a.user_id FROM stakeholders_interaction i
JOIN scale_people p ON p.client_id = i.client_id
JOIN accounts_assignment a ON a.client_id = i.client_id AND a.role = 'crp' AND a.end_date IS NULL
""",
    """
INSERT INTO stakeholders_interaction_stakeholders (interaction_id, stakeholder_id)
SELECT i.id, p.first_id + i.id %% p.people FROM stakeholders_interaction i
JOIN scale_people p ON p.client_id = i.client_id
""",
]

PLANS = [
    """
INSERT INTO planning_accountplan (client_id, year, status, north_star, relationship_objectives, value_proposition,
    persona, last_reviewed, version, created_at, updated_at)
SELECT c.id, extract(year FROM current_date)::int - y.back, CASE WHEN y.back = 0 THEN 'active' ELSE 'archived' END,
       'Be the first firm the board calls.', 'Broaden the relationship beyond the legal team.',
       'Sector depth and a steady team.', '', current_date - 30 - 365 * y.back, 1, now(), now()
FROM scale_new_client c CROSS JOIN (VALUES (0), (1)) AS y(back)
ON CONFLICT DO NOTHING
""",
    """
INSERT INTO planning_objective (title, horizon, kpi, baseline_value, target_value, current_value, version, plan_id)
SELECT 'Objective ' || g, (ARRAY['short','medium','long'])[g], 'Fees (£k)', 100, 150, 100 + (p.id %% 60), 1, p.id
FROM planning_accountplan p JOIN scale_new_client c ON c.id = p.client_id
CROSS JOIN generate_series(1, 3) g
""",
    """
INSERT INTO planning_action (description, due_date, status, completed_on, version, created_at, owner_id, plan_id,
    objective_id)
SELECT 'Action ' || g, current_date + ((p.id * 11 + g * 17) %% 120)::int - 60,
       CASE WHEN (p.id + g) %% 4 = 0 OR p.status = 'archived' THEN 'done' ELSE 'open' END,
       CASE WHEN (p.id + g) %% 4 = 0 OR p.status = 'archived' THEN current_date - ((p.id + g) %% 90)::int END,
       1, now(), a.user_id, p.id, NULL
FROM planning_accountplan p JOIN scale_new_client c ON c.id = p.client_id
JOIN accounts_assignment a ON a.client_id = p.client_id AND a.role = 'crp' AND a.end_date IS NULL
CROSS JOIN generate_series(1, 6) g
""",
    """
INSERT INTO planning_opportunity (description, estimated_fees, stage, probability, expected_close, origin, version,
    created_at, client_id, owner_id, service_line_id)
SELECT 'Opportunity ' || g, 10000 * (1 + (c.n * g) %% 40),
       (ARRAY['identified','qualified','proposal','won','lost'])[1 + (c.n + g) %% 5],
       (ARRAY[10, 25, 50, 75, 90])[1 + (c.n * 3 + g) %% 5], current_date + 30 * g,
       CASE WHEN (c.n + g) %% 3 = 0 THEN 'influenced' ELSE 'sourced' END, 1, now(), c.id, a.user_id, cs.serviceline_id
FROM scale_new_client c
JOIN accounts_assignment a ON a.client_id = c.id AND a.role = 'crp' AND a.end_date IS NULL
CROSS JOIN generate_series(1, 3) g
JOIN LATERAL (SELECT serviceline_id FROM accounts_client_service_lines WHERE client_id = c.id
              ORDER BY id OFFSET g - 1 LIMIT 1) cs ON true
""",
    """
INSERT INTO planning_risk (title, category, likelihood, impact, mitigation, status, version, created_at, client_id,
    owner_id)
SELECT 'Competitor pitching for the panel', (ARRAY['competitor','pricing','regulatory'])[1 + c.n %% 3],
       1 + c.n %% 5, 1 + (c.n * 3) %% 5, 'Partner-level contact each quarter.',
       (ARRAY['open','open','mitigated','closed'])[1 + c.n %% 4], 1, now(), c.id, a.user_id
FROM scale_new_client c
JOIN accounts_assignment a ON a.client_id = c.id AND a.role = 'crp' AND a.end_date IS NULL
WHERE c.n %% 2 = 0
""",
    """
INSERT INTO planning_clientreview (client_id, planned_date, held_date, notes, decisions, version, agenda_performance,
    agenda_roadmap, agenda_value, rating)
SELECT c.id, current_date + (91 * g - (c.n %% 60))::int,
       CASE WHEN g < 0 AND (c.n + g) %% 5 <> 0 THEN current_date + (91 * g - (c.n %% 60))::int END,
       '', '', 1, '', '', '',
       CASE WHEN g < 0 AND (c.n + g) %% 5 <> 0 THEN 1 + (c.n + g + 10) %% 5 END
FROM scale_new_client c CROSS JOIN generate_series(-3, 1) g
""",
]

# One score per client per day; the demo's own (every 28 days, with components) are kept.
SCORE_CHUNK = """
INSERT INTO health_healthscore (client_id, as_of, score, coverage, band, scorecard_id, components, computed_at)
SELECT c.id, d.day, x.s, 0.8, CASE WHEN x.s >= 70 THEN 'green' WHEN x.s >= 40 THEN 'amber' ELSE 'red' END,
       %(scorecard)s, '[]'::jsonb, now()
FROM accounts_client c
CROSS JOIN (SELECT (current_date - g)::date AS day, g FROM generate_series(0, %(days)s - 1) g) d
CROSS JOIN LATERAL (SELECT round(greatest(5, least(98,
    55 + 30 * sin(c.id * 0.7 + d.g / (40.0 + c.id %% 50)) + (c.id %% 13) - 6))::numeric, 2) AS s) x
WHERE c.id BETWEEN %(low)s AND %(high)s
  AND NOT EXISTS (SELECT 1 FROM scale_scored k WHERE k.client_id = c.id AND k.as_of = d.day)
"""


def _step(name: str, work: Callable[[], object]) -> None:
    started = time.perf_counter()
    result = work()
    print(f"  {name}: {time.perf_counter() - started:.1f}s{f' ({result})' if result is not None else ''}", flush=True)


def _run(cursor, statements: str | list[str], params: dict) -> int:
    rows = 0
    for statement in [statements] if isinstance(statements, str) else statements:
        cursor.execute(statement, params)
        rows += max(cursor.rowcount, 0)
    return rows


def _count(cursor, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
    return cursor.fetchone()[0]


def _secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(drop, create) statements of a table's indexes and unique constraints, its primary key apart."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid), c.conname, pg_get_constraintdef(c.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisprimary ORDER BY i.relname
        """,
        [table],
    )
    statements = []
    for index, index_sql, constraint, constraint_sql in cursor.fetchall():
        if constraint:
            statements.append(
                (
                    f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"',
                    f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraint_sql}',
                )
            )
        else:
            statements.append((f'DROP INDEX "{index}"', index_sql))
    return statements


def _scores(cursor, scale: Scale, scorecard: int) -> str:
    cursor.execute("SELECT count(DISTINCT as_of) FROM health_healthscore")
    if cursor.fetchone()[0] >= scale.score_days:
        return "already daily"
    cursor.execute("CREATE TEMP TABLE scale_scored AS SELECT client_id, as_of FROM health_healthscore")
    cursor.execute("ANALYZE scale_scored")
    indexes = _secondary_indexes(cursor, "health_healthscore")
    started = time.perf_counter()
    for drop, _ in indexes:
        cursor.execute(drop)
    cursor.execute("SELECT min(id), max(id) FROM accounts_client")
    low, high = cursor.fetchone()
    step, rows = 5000, 0
    for start in range(low, high + 1, step):
        began = time.perf_counter()
        params = {"scorecard": scorecard, "days": scale.score_days, "low": start, "high": start + step - 1}
        rows += _run(cursor, SCORE_CHUNK, params)
        print(f"    scores of clients {start}–{start + step - 1}: {time.perf_counter() - began:.0f}s", flush=True)
    loaded = time.perf_counter()
    for _, create in indexes:
        began = time.perf_counter()
        cursor.execute(create)
        print(f"    {create[:90]}: {time.perf_counter() - began:.0f}s", flush=True)
    return (
        f"{rows:,} rows: load {loaded - started:.0f}s, {len(indexes)} indexes rebuilt "
        f"in {time.perf_counter() - loaded:.0f}s"
    )


MARKER = "A key client of the firm (benchmark scale)."
# (step, the table whose rows for the grown clients say it is done, its statements)
GROWTH = [
    ("teams", "accounts_assignment", TEAMS[2:]),
    ("service lines and fees", "accounts_feerecord", SERVICE_LINES_AND_FEES),
    ("stakeholders and relationships", "stakeholders_stakeholder", STAKEHOLDERS),
    ("interactions and attendees", "stakeholders_interaction", INTERACTIONS),
    ("plans, objectives, actions, opportunities, risks, reviews", "planning_clientreview", PLANS),
]


def _done(cursor, table: str) -> bool:
    """Whether the grown clients already have rows in `table` (a step ends with that table's rows)."""
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {table} t WHERE t.client_id = (SELECT max(id) FROM scale_new_client))"  # noqa: S608
    )
    return cursor.fetchone()[0]


def seed_scaled(scale: Scale) -> None:
    """Build the firm at `scale`; every step prints its time."""
    from accounts.models import Client
    from health.models import Scorecard

    started = time.perf_counter()
    if Client.objects.count() < BASE_CLIENTS:  # once grown, seed_demo would walk every client in Python
        _step(
            f"seed_demo --clients {BASE_CLIENTS} --no-packs",
            lambda: call_command("seed_demo", clients=BASE_CLIENTS, packs=False, quiet=True),
        )
    scorecard = (
        Scorecard.objects.filter(is_current=True).first()
        or Scorecard.objects.get_or_create(version=1, defaults={"is_current": True})[0]
    )
    params = {
        "clients": scale.clients,
        "partners": scale.partners,
        "score_days": scale.score_days,
        "per_client": scale.interactions_per_client,
        "marker": MARKER,
    }
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no per-row triggers, as in a restore
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET work_mem = '256MB'")
        _step("partners", lambda: _run(cursor, NEW_PARTNERS, params))
        _step("clients", lambda: _run(cursor, NEW_CLIENTS, params))
        _run(cursor, TEAMS[:2], params)  # the numbered partners and grown clients, read by every step
        cursor.execute("ANALYZE scale_new_client")
        for name, table, statements in GROWTH:
            if _done(cursor, table):
                print(f"  {name}: already there", flush=True)
                if table == "stakeholders_stakeholder":
                    _run(cursor, PEOPLE, params)
            else:
                _step(name, lambda statements=statements: _run(cursor, statements, params))
        _step("ANALYZE before the scores", lambda: cursor.execute("ANALYZE"))
        _step(f"{scale.score_years} years of daily scores", lambda: _scores(cursor, scale, scorecard.pk))
        cursor.execute("RESET session_replication_role")
        _step("VACUUM ANALYZE", lambda: cursor.execute("VACUUM ANALYZE"))
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
        counts = {
            table: _count(cursor, table)
            for table in (
                "accounts_client",
                "stakeholders_interaction",
                "health_healthscore",
                "stakeholders_stakeholder",
            )
        }
    print(f"  firm at scale in {time.perf_counter() - started:.0f}s: {counts}, database {size}", flush=True)
