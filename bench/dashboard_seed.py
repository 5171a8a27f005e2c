"""Seed a firm of N key clients with a year of history for the dashboard benchmark (set-based SQL)."""

from __future__ import annotations

from django.core.management import call_command
from django.db import connection

from health.models import Scorecard

HISTORY_SQL = [  # (table filled, statement): a table that already has rows is skipped, except scores
    # one health score per client per day for a year, drifting so that trends and movers vary
    (
        "health_healthscore",
        """
    INSERT INTO health_healthscore (client_id, as_of, score, coverage, band, scorecard_id, components, computed_at)
    SELECT c.id, d::date, x.s, 0.8,
           CASE WHEN x.s >= 70 THEN 'green' WHEN x.s >= 40 THEN 'amber' ELSE 'red' END,
           %(scorecard)s, '[]'::jsonb, now()
    FROM accounts_client c
    CROSS JOIN generate_series(current_date - 364, current_date, interval '1 day') d
    CROSS JOIN LATERAL (SELECT round(greatest(5, least(98,
        55 + 30 * sin(c.id * 0.7 + extract(doy FROM d) / (40.0 + c.id % 50)) + (c.id % 13) - 6))::numeric, 2) AS s) x
    ON CONFLICT DO NOTHING
    """,
    ),
    (
        "stakeholders_stakeholder",
        """
    INSERT INTO stakeholders_stakeholder (client_id, name, job_title, department, seniority, buying_role,
        attitude, influence, email, phone, status, notes, version, created_at, updated_at)
    SELECT c.id, 'Person ' || c.id || '-' || g, 'Director', '',
           (ARRAY['board','c_suite','senior','middle','other'])[1 + (c.id + g) % 5],
           (ARRAY['decision_maker','influencer','gatekeeper','champion','user','blocker'])[1 + (c.id * g) % 6],
           ((c.id + g) % 5) - 2, 1 + (c.id + g) % 5, '', '', CASE WHEN g = 10 THEN 'left' ELSE 'active' END,
           '', 1, now(), now()
    FROM accounts_client c CROSS JOIN generate_series(1, 10) g
    """,
    ),
    (
        "stakeholders_relationship",
        """
    INSERT INTO stakeholders_relationship (stakeholder_id, user_id, strength, is_primary, notes, version)
    SELECT s.id, a.user_id, 1 + (s.id % 5), false, '', 1
    FROM stakeholders_stakeholder s
    JOIN accounts_assignment a ON a.client_id = s.client_id AND a.role = 'crp' AND a.end_date IS NULL
    WHERE s.id % 3 <> 0
    ON CONFLICT DO NOTHING
    """,
    ),
    (
        "stakeholders_interaction",
        """
    INSERT INTO stakeholders_interaction (client_id, date, kind, sentiment, summary, follow_up, created_at,
        external_ref)
    SELECT c.id, current_date - ((c.id * 7 + g * 37) % 200)::int, 'meeting', ((c.id + g) % 5) - 2,
           'Meeting ' || g, '', now(), ''
    FROM accounts_client c CROSS JOIN generate_series(1, 8) g
    """,
    ),
    (
        "planning_accountplan",
        """
    INSERT INTO planning_accountplan (client_id, year, status, north_star, relationship_objectives,
        value_proposition, persona, version, created_at, updated_at)
    SELECT c.id, extract(year FROM current_date)::int, 'active', '', '', '', '', 1, now(), now()
    FROM accounts_client c
    ON CONFLICT DO NOTHING
    """,
    ),
    (
        "planning_action",
        """
    INSERT INTO planning_action (plan_id, description, owner_id, due_date, status, version, created_at)
    SELECT p.id, 'Action ' || g, a.user_id, current_date + ((p.id * 11 + g * 17) % 120)::int - 60,
           CASE WHEN (p.id + g) % 4 = 0 THEN 'done' ELSE 'open' END, 1, now()
    FROM planning_accountplan p
    JOIN accounts_assignment a ON a.client_id = p.client_id AND a.role = 'crp' AND a.end_date IS NULL
    CROSS JOIN generate_series(1, 6) g
    """,
    ),
    (
        "planning_opportunity",
        """
    INSERT INTO planning_opportunity (client_id, service_line_id, description, estimated_fees, stage,
        probability, expected_close, origin, version, created_at)
    SELECT c.id, sl.id, 'Opportunity ' || g, 10000 * (1 + (c.id * g) % 40),
           (ARRAY['identified','qualified','proposal','won','lost'])[1 + (c.id + g) % 5],
           (ARRAY[10, 25, 50, 75, 90])[1 + (c.id * 3 + g) % 5], current_date + 30 * g,
           CASE WHEN (c.id + g) % 3 = 0 THEN 'influenced' ELSE 'sourced' END, 1, now()
    FROM accounts_client c CROSS JOIN generate_series(1, 3) g
    JOIN LATERAL (SELECT id FROM accounts_serviceline ORDER BY id OFFSET (c.id + g) % 8 LIMIT 1) sl ON true
    """,
    ),
    (
        "planning_clientreview",
        """
    INSERT INTO planning_clientreview (client_id, planned_date, held_date, notes, decisions, version)
    SELECT c.id, current_date + (91 * g - (c.id % 60))::int,
           CASE WHEN g < 0 AND (c.id + g) % 5 <> 0 THEN current_date + (91 * g - (c.id % 60))::int END, '', '', 1
    FROM accounts_client c CROSS JOIN generate_series(-3, 1) g
    """,
    ),
    (
        "accounts_notification",
        """
    INSERT INTO accounts_notification (user_id, title, body, url, dedupe_key, created_at, client_id)
    SELECT u.id, 'Alert ' || g, '', '', '', now() - g * interval '1 day', NULL
    FROM accounts_user u CROSS JOIN generate_series(1, 5) g
    """,
    ),
]


def _scores_are_sparse(cursor) -> bool:
    """The demo data scores a few days only; the benchmark wants a score per client per day."""
    cursor.execute("SELECT count(DISTINCT as_of) < 365 FROM health_healthscore")
    return cursor.fetchone()[0]


def seed_firm(clients: int) -> None:
    call_command("seed_demo", clients=clients, quiet=True)
    scorecard, _ = Scorecard.objects.get_or_create(version=1, defaults={"is_current": True})
    with connection.cursor() as cursor:
        for table, statement in HISTORY_SQL:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608 - fixed table names
            if cursor.fetchone()[0] and not (table == "health_healthscore" and _scores_are_sparse(cursor)):
                continue
            cursor.execute(
                statement.replace("%", "%%").replace("%%(scorecard)s", "%(scorecard)s"),
                {"scorecard": scorecard.pk},
            )
        cursor.execute("ANALYZE")
