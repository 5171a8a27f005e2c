"""Each feed kind's SQL over the staging table: resolve and check, count, write.

Fees are the lines the billing system sends (client × service line × period, in the currency
billed); the per-year `accounts.FeeRecord` rows that health, whitespace, dashboards and packs read
are their sums in the reporting currency, refreshed for exactly the years a feed touched. A year's
figure someone edited in Keyline since the last feed wrote it is kept and listed as a conflict.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from accounts.models import User
from core.queueing import send_task_on_commit
from feeds.client_rows import CLIENTS
from feeds.engine import Kind, Outcome, mark, mark_duplicates, resolve_clients, resolve_service_lines
from feeds.models import FeedKind, reporting_currency

FEE_RECORD = "accounts.feerecord"
ANALYZE_AFTER = 10_000


def _counts(cursor: Any, table: str, same: str) -> tuple[int, int, int]:
    cursor.execute(
        f"""SELECT count(*) FILTER (WHERE s.existing_id IS NULL),
                   count(*) FILTER (WHERE s.existing_id IS NOT NULL AND NOT ({same})),
                   count(*) FILTER (WHERE s.existing_id IS NOT NULL AND ({same}))
            FROM feed_stage s LEFT JOIN {table} t ON t.id = s.existing_id WHERE s.error IS NULL"""  # noqa: S608  # nosec B608 - names from code, values as parameters
    )
    created, updated, unchanged = cursor.fetchone()
    return created, updated, unchanged


# --- fees -----------------------------------------------------------------------------------------

_FEE_SAME = """t.client_id = s.client_id AND t.service_line_id = s.service_line_id AND t.period = s.period
    AND t.billed = s.billed AND t.currency = s.currency AND t.rate = s.rate
    AND t.collected IS NOT DISTINCT FROM COALESCE(s.collected, t.collected)
    AND t.wip IS NOT DISTINCT FROM COALESCE(s.wip, t.wip)
    AND t.matter_id IS NOT DISTINCT FROM COALESCE(s.matter_id, t.matter_id)"""


def _fees_resolve(cursor: Any, actor: User) -> None:
    """Resolve every staged fee row in one pass: the staging table is rebuilt (CREATE TABLE AS) with
    its client, service line, matter, financial year, exchange rate and existing line, and each bad
    row's first error, rather than updated column by column (each UPDATE would rewrite every row)."""
    start = settings.FINANCIAL_YEAR_START_MONTH
    currency = reporting_currency()
    cursor.execute(
        """CREATE TEMP TABLE feed_resolved ON COMMIT DROP AS
           WITH dup AS (
               SELECT external_id, min(line) AS first FROM feed_stage WHERE external_id IS NOT NULL
               GROUP BY external_id HAVING count(*) > 1
           ), by_key AS (
               SELECT k.key, k.client_id FROM feeds_clientkey k JOIN feed_allowed a ON a.client_id = k.client_id
           ), by_name AS (
               SELECT lower(c.name) AS name, min(c.id) AS client_id FROM accounts_client c
               JOIN feed_allowed a ON a.client_id = c.id GROUP BY lower(c.name)
           ), lines AS (
               SELECT lower(name) AS name, min(id) AS id FROM accounts_serviceline GROUP BY lower(name)
           ), base AS (
               SELECT s.line, s.external_id, s.client, s.service_line, s.period, s.billed, s.collected, s.wip,
                      COALESCE(s.currency, %(currency)s) AS currency, s.matter,
                      COALESCE(bk.client_id, bn.client_id) AS client_id, l.id AS service_line_id,
                      extract(year FROM s.period)::int
                          + CASE WHEN %(start)s > 1 AND extract(month FROM s.period) >= %(start)s THEN 1 ELSE 0 END
                          AS financial_year,
                      d.first AS dup_first, s.error_field, s.error
               FROM feed_stage s
               LEFT JOIN dup d ON d.external_id = s.external_id AND s.line > d.first
               LEFT JOIN by_key bk ON bk.key = s.client
               LEFT JOIN by_name bn ON bk.client_id IS NULL AND bn.name = lower(s.client)
               LEFT JOIN lines l ON l.name = lower(s.service_line)
           ), matched AS (
               SELECT b.*, m.id AS matter_id,
                      CASE WHEN b.currency = %(currency)s THEN 1::numeric(18, 8)
                           ELSE (SELECT r.rate FROM feeds_exchangerate r WHERE r.currency = b.currency
                                 AND r.valid_from <= b.period ORDER BY r.valid_from DESC LIMIT 1) END AS rate
               FROM base b
               LEFT JOIN feeds_matter m ON b.matter IS NOT NULL AND m.number = b.matter AND m.client_id = b.client_id
           ), judged AS (
               SELECT m.*, CASE
                   WHEN m.error IS NOT NULL THEN NULL
                   WHEN m.dup_first IS NOT NULL THEN ARRAY['external_id',
                       'External id “' || m.external_id || '” is repeated: it first appears on line '
                       || m.dup_first || '.']
                   WHEN m.client_id IS NULL THEN ARRAY['client',
                       'Unknown client “' || m.client || '”: no client you may change has this key or name.']
                   WHEN m.service_line_id IS NULL THEN ARRAY['service_line',
                       'Unknown service line “' || m.service_line || '”: use one of the firm''s service lines.']
                   WHEN m.matter IS NOT NULL AND m.matter_id IS NULL THEN ARRAY['matter',
                       'Unknown matter “' || m.matter || '” for this client.']
                   WHEN m.rate IS NULL THEN ARRAY['currency',
                       'No exchange rate for ' || m.currency || ' on or before ' || m.period
                       || ': import the rates first.']
               END AS found
               FROM matched m
           )
           SELECT j.line, j.external_id, j.client, j.service_line, j.period, j.billed, j.collected, j.wip,
                  j.currency, j.matter, j.client_id, j.service_line_id, j.matter_id, j.financial_year, j.rate,
                  f.id AS existing_id, COALESCE(j.error_field, j.found[1]) AS error_field,
                  COALESCE(j.error, j.found[2]) AS error
           FROM judged j LEFT JOIN feeds_feeline f ON f.external_id = j.external_id""",
        {"currency": currency, "start": start},
    )
    cursor.execute("DROP TABLE feed_stage")
    cursor.execute("ALTER TABLE feed_resolved RENAME TO feed_stage")
    cursor.execute("CREATE INDEX ON feed_stage (existing_id)")
    cursor.execute("ANALYZE feed_stage")


def _fees_count(cursor: Any) -> tuple[int, int, int]:
    return _counts(cursor, "feeds_feeline", _FEE_SAME)


def _fees_apply(cursor: Any, actor: User, outcome: Outcome) -> None:
    cursor.execute(
        """CREATE TEMP TABLE feed_affected ON COMMIT DROP AS
           SELECT f.client_id, f.service_line_id, f.financial_year
           FROM feeds_feeline f JOIN feed_stage s ON s.existing_id = f.id WHERE s.error IS NULL
           UNION
           SELECT client_id, service_line_id, financial_year FROM feed_stage WHERE error IS NULL"""
    )
    # Only new and changed lines are written: an unchanged line is not touched (not even locked), so
    # the same file sent again costs a read.
    cursor.execute(
        f"""INSERT INTO feeds_feeline AS f (external_id, client_id, service_line_id, matter_id, period,
               financial_year, billed, collected, wip, currency, rate, billed_reporting)
           SELECT external_id, client_id, service_line_id, matter_id, period, financial_year, billed, collected,
               wip, currency, rate, round(billed * rate, 2)
           FROM feed_stage s WHERE s.error IS NULL
             AND (s.existing_id IS NULL OR NOT EXISTS (SELECT 1 FROM feeds_feeline t WHERE t.id = s.existing_id
                                                       AND {_FEE_SAME}))
           ON CONFLICT (external_id) DO UPDATE SET
               client_id = EXCLUDED.client_id, service_line_id = EXCLUDED.service_line_id,
               matter_id = COALESCE(EXCLUDED.matter_id, f.matter_id), period = EXCLUDED.period,
               financial_year = EXCLUDED.financial_year, billed = EXCLUDED.billed,
               collected = COALESCE(EXCLUDED.collected, f.collected), wip = COALESCE(EXCLUDED.wip, f.wip),
               currency = EXCLUDED.currency, rate = EXCLUDED.rate, billed_reporting = EXCLUDED.billed_reporting
           WHERE ROW(f.client_id, f.service_line_id, f.period, f.billed, f.currency, f.rate)
                 IS DISTINCT FROM ROW(EXCLUDED.client_id, EXCLUDED.service_line_id, EXCLUDED.period,
                                      EXCLUDED.billed, EXCLUDED.currency, EXCLUDED.rate)
              OR (EXCLUDED.collected IS NOT NULL AND EXCLUDED.collected IS DISTINCT FROM f.collected)
              OR (EXCLUDED.wip IS NOT NULL AND EXCLUDED.wip IS DISTINCT FROM f.wip)
              OR (EXCLUDED.matter_id IS NOT NULL AND EXCLUDED.matter_id IS DISTINCT FROM f.matter_id)"""  # noqa: S608  # nosec B608 - SQL from code, values from the staging table
    )
    if cursor.rowcount > ANALYZE_AFTER:
        # Autovacuum may lag (or be off): the next feed's plans need today's row counts.
        cursor.execute("ANALYZE feeds_feeline")
    refresh_fee_records(cursor, outcome)


def refresh_fee_records(cursor: Any, outcome: Outcome) -> None:
    """Re-sum the financial years in `feed_affected` into accounts.FeeRecord, in the reporting currency.

    A year's record the last feed wrote (its stamp still equals it) takes the new sum; one edited in
    Keyline since — or typed there before any feed — is kept and listed as a conflict. Every change
    lands in the fee history (the record's triggers), naming the person whose feed it was."""
    cursor.execute(
        """CREATE TEMP TABLE feed_plan ON COMMIT DROP AS
           SELECT a.client_id, a.service_line_id, a.financial_year,
                  COALESCE((SELECT sum(f.billed_reporting) FROM feeds_feeline f
                            WHERE f.client_id = a.client_id AND f.service_line_id = a.service_line_id
                              AND f.financial_year = a.financial_year), 0) AS total,
                  r.id AS record_id, r.amount AS current, st.value::numeric AS stamped
           FROM (SELECT DISTINCT client_id, service_line_id, financial_year FROM feed_affected) a
           LEFT JOIN accounts_feerecord r ON r.client_id = a.client_id
                AND r.service_line_id = a.service_line_id AND r.financial_year = a.financial_year
           LEFT JOIN feeds_feedstamp st ON st.model = %s AND st.field = 'amount' AND st.object_id = r.id""",
        [FEE_RECORD],
    )
    cursor.execute(
        """SELECT c.name, l.name, p.financial_year, p.current, p.total, p.client_id, p.service_line_id
           FROM feed_plan p JOIN accounts_client c ON c.id = p.client_id
           JOIN accounts_serviceline l ON l.id = p.service_line_id
           WHERE p.record_id IS NOT NULL AND p.current <> p.total
             AND (p.stamped IS NULL OR p.stamped <> p.current)
           ORDER BY c.name, l.name, p.financial_year LIMIT 2000"""
    )
    for client, line, year, current, total, client_id, line_id in cursor.fetchall():
        outcome.conflicts.append(
            {
                "kind": "fees",
                "client_id": client_id,
                "service_line_id": line_id,
                "client": client,
                "service_line": line,
                "financial_year": year,
                "keyline": str(current),
                "feed": str(total),
                "message": f"Fees edited in Keyline since the last feed: kept {current}; the feed says {total}.",
            }
        )
    cursor.execute(
        """UPDATE accounts_feerecord r SET amount = p.total FROM feed_plan p
           WHERE r.id = p.record_id AND p.current <> p.total AND p.stamped = p.current"""
    )
    cursor.execute(
        """INSERT INTO accounts_feerecord (client_id, service_line_id, financial_year, amount)
           SELECT client_id, service_line_id, financial_year, total FROM feed_plan
           WHERE record_id IS NULL AND total > 0
           ON CONFLICT (client_id, financial_year, service_line_id) DO NOTHING"""
    )
    cursor.execute(
        """INSERT INTO feeds_feedstamp (model, object_id, field, value)
           SELECT %s, r.id, 'amount', r.amount::text FROM feed_plan p
           JOIN accounts_feerecord r ON r.client_id = p.client_id AND r.service_line_id = p.service_line_id
                AND r.financial_year = p.financial_year
           WHERE p.record_id IS NULL OR p.current = p.total OR p.stamped = p.current
           ON CONFLICT (model, object_id, field) DO UPDATE SET value = EXCLUDED.value""",
        [FEE_RECORD],
    )
    _request_health_recompute(cursor)


def _request_health_recompute(cursor: Any) -> None:
    """Fees changed for these clients: their scores are due (one set-based request, as the signal does)."""
    from health.services.jobs import debounce_seconds
    from health.tasks import recompute_pending

    cursor.execute(
        """INSERT INTO health_pendingrecompute (client_id, requested_at)
           SELECT DISTINCT client_id, now() FROM feed_plan ON CONFLICT (client_id) DO NOTHING"""
    )
    if cursor.rowcount:
        send_task_on_commit(recompute_pending, countdown=debounce_seconds())


# --- exchange rates -------------------------------------------------------------------------------


def _rates_resolve(cursor: Any, actor: User) -> None:
    mark(
        cursor,
        "currency",
        "s.currency || ' is the reporting currency: its rate is always 1.'",
        "s.currency = %s",
        [reporting_currency()],
    )
    cursor.execute(
        """UPDATE feed_stage s SET error_field = 'currency',
               error = 'The rate of ' || s.currency || ' from ' || s.valid_from
                       || ' is repeated: it first appears on line ' || d.first || '.'
           FROM (SELECT currency, valid_from, min(line) AS first FROM feed_stage WHERE error IS NULL
                 GROUP BY currency, valid_from HAVING count(*) > 1) d
           WHERE s.currency = d.currency AND s.valid_from = d.valid_from AND s.line > d.first AND s.error IS NULL"""
    )
    cursor.execute(
        """UPDATE feed_stage s SET existing_id = r.id FROM feeds_exchangerate r
           WHERE s.error IS NULL AND r.currency = s.currency AND r.valid_from = s.valid_from"""
    )


def _rates_count(cursor: Any) -> tuple[int, int, int]:
    return _counts(cursor, "feeds_exchangerate", "t.rate = s.rate")


def _rates_apply(cursor: Any, actor: User, outcome: Outcome) -> None:
    cursor.execute(
        """INSERT INTO feeds_exchangerate AS r (currency, valid_from, rate)
           SELECT currency, valid_from, rate FROM feed_stage WHERE error IS NULL
           ON CONFLICT (currency, valid_from) DO UPDATE SET rate = EXCLUDED.rate WHERE r.rate <> EXCLUDED.rate"""
    )
    # Every fee line in these currencies takes the rate of its own period again; the years whose
    # converted sums moved are re-summed like any feed's.
    cursor.execute(
        """CREATE TEMP TABLE feed_affected ON COMMIT DROP AS
           WITH applicable AS (
               SELECT f.id, (SELECT r.rate FROM feeds_exchangerate r WHERE r.currency = f.currency
                             AND r.valid_from <= f.period ORDER BY r.valid_from DESC LIMIT 1) AS rate
               FROM feeds_feeline f
               WHERE f.currency IN (SELECT DISTINCT currency FROM feed_stage WHERE error IS NULL)
           ), changed AS (
               UPDATE feeds_feeline f SET rate = a.rate, billed_reporting = round(f.billed * a.rate, 2)
               FROM applicable a WHERE a.id = f.id AND a.rate IS NOT NULL AND a.rate <> f.rate
               RETURNING f.client_id, f.service_line_id, f.financial_year
           )
           SELECT DISTINCT client_id, service_line_id, financial_year FROM changed"""
    )
    refresh_fee_records(cursor, outcome)


# --- matters --------------------------------------------------------------------------------------

_MATTER_SAME = """t.client_id = s.client_id AND t.name = s.name
    AND t.service_line_id IS NOT DISTINCT FROM COALESCE(s.service_line_id, t.service_line_id)
    AND t.responsible_partner_id IS NOT DISTINCT FROM COALESCE(s.user_id, t.responsible_partner_id)
    AND t.opened_on IS NOT DISTINCT FROM COALESCE(s.opened_on, t.opened_on)
    AND t.closed_on IS NOT DISTINCT FROM COALESCE(s.closed_on, t.closed_on)
    AND t.status = COALESCE(s.status, t.status)"""


def _resolve_people(cursor: Any, column: str, label: str) -> None:
    cursor.execute(
        f"""UPDATE feed_stage s SET user_id = u.id FROM accounts_user u
            WHERE s.error IS NULL AND s.{column} IS NOT NULL AND lower(u.email) = s.{column}"""  # noqa: S608  # nosec B608 - names from code, values as parameters
    )
    mark(
        cursor,
        column,
        f"'No firm person has the email “' || s.{column} || '” ({label}).'",
        f"s.{column} IS NOT NULL AND s.user_id IS NULL",
    )


def _matters_resolve(cursor: Any, actor: User) -> None:
    mark_duplicates(cursor, "Matter number")
    resolve_clients(cursor)
    resolve_service_lines(cursor)
    _resolve_people(cursor, "partner", "responsible partner")
    mark(
        cursor,
        "closed_on",
        "'The matter closes (' || s.closed_on || ') before it opens (' || s.opened_on || ').'",
        "s.closed_on < s.opened_on",
    )
    cursor.execute(
        """UPDATE feed_stage s SET existing_id = m.id FROM feeds_matter m
           WHERE s.error IS NULL AND m.number = s.external_id"""
    )
    # A matter number already used for a client the sender may not change is refused like an
    # unknown client's, without saying whose it is.
    mark(
        cursor,
        "external_id",
        "'Matter number “' || s.external_id || '” cannot be fed by you: ask a managing partner.'",
        "s.existing_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM feeds_matter m JOIN feed_allowed a "
        "ON a.client_id = m.client_id WHERE m.id = s.existing_id)",
    )


def _matters_count(cursor: Any) -> tuple[int, int, int]:
    return _counts(cursor, "feeds_matter", _MATTER_SAME)


def _matters_apply(cursor: Any, actor: User, outcome: Outcome) -> None:
    cursor.execute(
        """INSERT INTO feeds_matter AS m (number, client_id, name, service_line_id, responsible_partner_id,
               opened_on, closed_on, status, updated_at)
           SELECT external_id, client_id, name, service_line_id, user_id, opened_on, closed_on,
                  COALESCE(status, CASE WHEN closed_on IS NULL THEN 'open' ELSE 'closed' END), now()
           FROM feed_stage WHERE error IS NULL
           ON CONFLICT (number) DO UPDATE SET client_id = EXCLUDED.client_id, name = EXCLUDED.name,
               service_line_id = COALESCE(EXCLUDED.service_line_id, m.service_line_id),
               responsible_partner_id = COALESCE(EXCLUDED.responsible_partner_id, m.responsible_partner_id),
               opened_on = COALESCE(EXCLUDED.opened_on, m.opened_on),
               closed_on = COALESCE(EXCLUDED.closed_on, m.closed_on),
               status = EXCLUDED.status, updated_at = now()
           WHERE ROW(m.client_id, m.name, m.status)
                 IS DISTINCT FROM ROW(EXCLUDED.client_id, EXCLUDED.name, EXCLUDED.status)
              OR (EXCLUDED.service_line_id IS NOT NULL AND EXCLUDED.service_line_id IS DISTINCT FROM m.service_line_id)
              OR (EXCLUDED.responsible_partner_id IS NOT NULL
                  AND EXCLUDED.responsible_partner_id IS DISTINCT FROM m.responsible_partner_id)
              OR (EXCLUDED.opened_on IS NOT NULL AND EXCLUDED.opened_on IS DISTINCT FROM m.opened_on)
              OR (EXCLUDED.closed_on IS NOT NULL AND EXCLUDED.closed_on IS DISTINCT FROM m.closed_on)"""
    )


# --- timekeeper hours -----------------------------------------------------------------------------


def _hours_resolve(cursor: Any, actor: User) -> None:
    mark_duplicates(cursor)
    cursor.execute(
        """UPDATE feed_stage s SET matter_id = m.id, client_id = m.client_id FROM feeds_matter m
           JOIN feed_allowed a ON a.client_id = m.client_id
           WHERE s.error IS NULL AND m.number = s.matter"""
    )
    mark(cursor, "matter", "'Unknown matter “' || s.matter || '”: feed the matters first.'", "s.matter_id IS NULL")
    _resolve_people(cursor, "timekeeper", "timekeeper")
    cursor.execute(
        """UPDATE feed_stage s SET existing_id = t.id FROM feeds_timeentry t
           WHERE s.error IS NULL AND t.external_id = s.external_id"""
    )


def _hours_count(cursor: Any) -> tuple[int, int, int]:
    return _counts(
        cursor,
        "feeds_timeentry",
        "t.matter_id = s.matter_id AND t.timekeeper_id = s.user_id AND t.worked_on = s.worked_on AND t.hours = s.hours",
    )


def _hours_apply(cursor: Any, actor: User, outcome: Outcome) -> None:
    cursor.execute(
        """INSERT INTO feeds_timeentry AS t (external_id, matter_id, timekeeper_id, worked_on, hours)
           SELECT external_id, matter_id, user_id, worked_on, hours FROM feed_stage WHERE error IS NULL
           ON CONFLICT (external_id) DO UPDATE SET matter_id = EXCLUDED.matter_id,
               timekeeper_id = EXCLUDED.timekeeper_id, worked_on = EXCLUDED.worked_on, hours = EXCLUDED.hours
           WHERE ROW(t.matter_id, t.timekeeper_id, t.worked_on, t.hours)
                 IS DISTINCT FROM ROW(EXCLUDED.matter_id, EXCLUDED.timekeeper_id, EXCLUDED.worked_on, EXCLUDED.hours)"""
    )


KINDS: dict[str, Kind] = {
    FeedKind.CLIENTS: CLIENTS,
    FeedKind.FEES: Kind(_fees_resolve, _fees_count, _fees_apply, lock="feeds-fees"),
    # Rates re-convert fee lines and re-sum fee years: they queue behind fee feeds and vice versa.
    FeedKind.RATES: Kind(_rates_resolve, _rates_count, _rates_apply, lock="feeds-fees"),
    FeedKind.MATTERS: Kind(_matters_resolve, _matters_count, _matters_apply, lock="feeds-matters"),
    FeedKind.HOURS: Kind(_hours_resolve, _hours_count, _hours_apply, lock="feeds-hours"),
}
