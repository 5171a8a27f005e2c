"""The one import engine behind every feed kind, files and API alike.

Rows stream from the file (or the API body) through the kind's cell parsers into a temporary staging
table (PostgreSQL COPY), so memory stays flat whatever the file's size. Everything after that is
set-based SQL over the staging table: resolving clients, service lines, matters, people and
exchange rates, naming each bad row's error, counting what would be created, updated or left
unchanged, and (unless it is a dry run) writing it — all in one transaction, so a refused or failed
run leaves nothing behind. A row matches its record by the source system's external id, so the same
file sent twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from accounts.access import editable_clients
from accounts.models import User
from accounts.services import audited_write
from feeds import parsing
from feeds.kinds import COLUMNS, Column
from feeds.models import FeedKind, RunMode

MAX_KEPT = 2000
TEMP_TABLES = ["feed_stage", "feed_resolved", "feed_allowed", "feed_affected", "feed_plan"]
PROGRESS_EVERY = 5000


@dataclass
class Outcome:
    rows_total: int = 0
    error_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    refused: bool = False
    message: str = ""


Rows = Iterator[tuple[int, dict[str, str]]]


SYSTEM_COLUMNS = [
    ("client_id", "bigint"),
    ("service_line_id", "bigint"),
    ("matter_id", "bigint"),
    ("user_id", "bigint"),
    ("tier_id", "bigint"),
    ("parent_id", "bigint"),
    ("financial_year", "integer"),
    ("rate", "numeric(18, 8)"),
    ("existing_id", "bigint"),
    ("error_field", "text"),
    ("error", "text"),
]


def _create_stage(cursor: Any, columns: list[Column]) -> None:
    names = {c.name for c in columns}
    typed = [f"{c.name} {c.sql_type}" for c in columns]
    typed += [f"{name} {sql_type}" for name, sql_type in SYSTEM_COLUMNS if name not in names]
    cursor.execute(f"CREATE TEMP TABLE feed_stage (line integer, {', '.join(typed)}) ON COMMIT DROP")


def _parse_row(columns: list[Column], cells: dict[str, str]) -> tuple[list[Any], str | None, str | None]:
    values: list[Any] = []
    for column in columns:
        raw = (cells.get(column.name) or "").strip()
        if "\x00" in raw:
            return [None] * len(columns), column.name, "This cell holds a NUL character, which no field accepts."
        if not raw:
            if column.required:
                return [None] * len(columns), column.name, f"{column.label} is empty: it is required."
            values.append(None)
            continue
        try:
            values.append(column.parse(raw))
        except parsing.CellError as error:
            return [None] * len(columns), column.name, str(error)
    return values, None, None


def _load(cursor: Any, columns: list[Column], rows: Rows, progress: Callable[[int], None] | None) -> int:
    names = ", ".join(c.name for c in columns)
    count = 0
    # The raw psycopg cursor under Django's wrapper: COPY streams rows without building statements.
    with cursor.cursor.copy(f"COPY feed_stage (line, {names}, error_field, error) FROM STDIN") as copy:
        for line, cells in rows:
            values, error_field, error = _parse_row(columns, cells)
            copy.write_row([line, *values, error_field, error])
            count += 1
            if progress and count % PROGRESS_EVERY == 0:
                progress(count)
    if any(c.name == "external_id" for c in columns):
        cursor.execute("CREATE INDEX ON feed_stage (external_id)")
    cursor.execute("ANALYZE feed_stage")
    return count


def mark(cursor: Any, column: str, message_sql: str, condition: str, params: list[Any] | None = None) -> None:
    """Name the error of every still-valid staged row matching `condition` (SQL over `s`)."""
    cursor.execute(
        f"UPDATE feed_stage s SET error_field = %s, error = {message_sql} WHERE s.error IS NULL AND ({condition})",  # noqa: S608  # nosec B608
        [column, *(params or [])],
    )


def mark_duplicates(cursor: Any, label: str = "External id") -> None:
    cursor.execute(
        """
        UPDATE feed_stage s SET error_field = 'external_id',
            error = %s || ' “' || s.external_id || '” is repeated: it first appears on line ' || d.first || '.'
        FROM (SELECT external_id, min(line) AS first FROM feed_stage WHERE external_id IS NOT NULL
              GROUP BY external_id HAVING count(*) > 1) d
        WHERE s.external_id = d.external_id AND s.line > d.first AND s.error IS NULL
        """,
        [label],
    )


def allow_clients(cursor: Any, actor: User) -> None:
    """The clients `actor` may change, for matching: any other reads exactly like an unknown client."""
    sql, params = editable_clients(actor).values("pk").query.sql_with_params()
    cursor.execute("CREATE TEMP TABLE feed_allowed (client_id bigint PRIMARY KEY) ON COMMIT DROP")
    cursor.execute(f"INSERT INTO feed_allowed SELECT * FROM ({sql}) AS q", params)  # noqa: S608  # nosec B608


def resolve_clients(cursor: Any, column: str = "client") -> None:
    """Match the client cell by the source system's key, then by name, among the clients allowed."""
    cursor.execute(
        f"""UPDATE feed_stage s SET client_id = k.client_id FROM feeds_clientkey k
            JOIN feed_allowed a ON a.client_id = k.client_id
            WHERE s.error IS NULL AND k.key = s.{column}"""  # noqa: S608  # nosec B608 - names from code, values as parameters
    )
    cursor.execute(
        f"""UPDATE feed_stage s SET client_id = c.id FROM accounts_client c
            JOIN feed_allowed a ON a.client_id = c.id
            WHERE s.error IS NULL AND s.client_id IS NULL AND lower(c.name) = lower(s.{column})"""  # noqa: S608  # nosec B608 - names from code, values as parameters
    )
    mark(
        cursor,
        column,
        f"'Unknown client “' || s.{column} || '”: no client you may change has this key or name.'",
        "s.client_id IS NULL",
    )


def resolve_service_lines(cursor: Any, required: bool = True) -> None:
    cursor.execute(
        """UPDATE feed_stage s SET service_line_id = l.id FROM accounts_serviceline l
           WHERE s.error IS NULL AND s.service_line IS NOT NULL AND lower(l.name) = lower(s.service_line)"""
    )
    mark(
        cursor,
        "service_line",
        "'Unknown service line “' || s.service_line || '”: use one of the firm''s service lines.'",
        "s.service_line IS NOT NULL AND s.service_line_id IS NULL",
    )


def errors_of(cursor: Any) -> tuple[int, list[dict]]:
    cursor.execute("SELECT count(*) FROM feed_stage WHERE error IS NOT NULL")
    total = cursor.fetchone()[0]
    cursor.execute(
        "SELECT line, error_field, error FROM feed_stage WHERE error IS NOT NULL ORDER BY line LIMIT %s", [MAX_KEPT]
    )
    labels = {}
    for columns in COLUMNS.values():
        labels.update({c.name: c.label for c in columns})
    return total, [{"row": line, "field": labels.get(f, f), "message": m} for line, f, m in cursor.fetchall()]


@dataclass(frozen=True)
class Kind:
    resolve: Callable[[Any, User], None]
    count: Callable[[Any], tuple[int, int, int]]  # created, updated, unchanged
    apply: Callable[[Any, User, Outcome], None]
    lock: str


def run(
    *,
    kind: str,
    actor: User,
    rows: Rows,
    dry_run: bool,
    mode: str = RunMode.ALL_OR_NOTHING,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Check (`dry_run`) or import `rows` of `kind` for `actor`: all or nothing, or only the valid rows."""
    from feeds.writers import KINDS

    spec: Kind = KINDS[kind]
    columns = COLUMNS[kind]
    outcome = Outcome()
    with audited_write(actor), connection.cursor() as cursor:
        if not dry_run:
            # Feeds of one kind write one after another, so concurrent batches never race for a row.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [spec.lock])
        # Dropped at commit; dropped here too when an outer transaction (a test's) outlives the run.
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(TEMP_TABLES)}")
        _create_stage(cursor, columns)
        outcome.rows_total = _load(cursor, columns, rows, progress)
        allow_clients(cursor, actor)
        spec.resolve(cursor, actor)
        outcome.error_rows, outcome.errors = errors_of(cursor)
        outcome.created, outcome.updated, outcome.unchanged = spec.count(cursor)
        if dry_run:
            transaction.set_rollback(True)
            return outcome
        if outcome.error_rows and mode != RunMode.VALID_ONLY:
            outcome.refused = True
            outcome.created = outcome.updated = outcome.unchanged = 0
            outcome.message = (
                f"{outcome.error_rows:,} row(s) have errors, so nothing was imported. Fix them, or choose to "
                "import only the valid rows."
            )
            transaction.set_rollback(True)
            return outcome
        spec.apply(cursor, actor, outcome)
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(TEMP_TABLES)}")
    return outcome


__all__ = ["FeedKind", "Outcome", "run"]
