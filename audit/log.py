"""The firm-wide log as read: the audit app's own entries and every change already in the records'
history (the pghistory event tables), merged in time order and cut by the wall.

One SQL statement picks a page: the filtered audit entries and every event table's filtered events,
as (at, source, model, id) keys, UNION ALL, newest first, after a keyset cursor. A few more fetch
what the page shows (the entries, the events with the row before each, the people and the clients),
so a page costs the same handful of queries whatever its size and however deep into the log it is.

An event's client is the client its record belonged to: the record's own `client`, the client itself,
or, for a record that hangs off another one (an action off its plan, a document version off its
document), that parent's client, read from the parent's own history if the parent has since been
deleted. Records of no client (scorecards, playbooks, a person's credentials) are firm-wide, like
sign-ins. The actor is the user the request or service recorded in the event's pghistory context.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from pghistory.models import Event

from accounts.access import sees_whole_audit_log, visible_clients
from accounts.models import Client, User
from audit.models import AuditEntry
from audit.selectors import AuditFilter, audit_entries

HISTORY_KIND = "record_change"
HISTORY_KIND_LABEL = "Record changed"
AUDIT, HISTORY = "audit", "history"
IGNORED_FIELDS = {"id", "version", "created_at", "updated_at"}
VERBS = {"insert": "Created", "update": "Changed", "delete": "Deleted"}


class BadCursor(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Cursor:
    """Where a page ends: the key of its last row, in the log's newest-first order."""

    at: datetime.datetime
    source: str
    model: str
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.at.isoformat(), self.source, self.model, self.id])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            at, source, model, pk = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            when = parse_datetime(at)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
            raise BadCursor("This page link is not valid: start again from the newest entries.") from error
        if (
            when is None
            or when.tzinfo is None
            or source not in (AUDIT, HISTORY)
            or not isinstance(pk, int)
            or not 0 <= pk < 2**63
        ):
            raise BadCursor("This page link is not valid: start again from the newest entries.")
        if not isinstance(model, str) or (source == HISTORY and model not in _branches()):
            raise BadCursor("This page link is not valid: start again from the newest entries.")
        return cls(when, source, model, pk)


@dataclass
class LogRow:
    """One line of the log, whichever table it came from."""

    source: str
    model: str
    id: int
    at: datetime.datetime
    kind: str
    kind_label: str
    summary: str
    actor_id: int | None = None
    actor_label: str = ""
    subject_user_id: int | None = None
    client_id: int | None = None
    client: Client | None = None
    ip_address: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.source}:{self.model + ':' if self.model else ''}{self.id}"

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, self.source, self.model, self.id)


@dataclass
class LogPage:
    rows: list[LogRow]
    next_cursor: Cursor | None


@dataclass(frozen=True)
class _Branch:
    """How to read one event table: its client and its subject person as SQL over alias `e`.

    The client is given twice: `client_sql` with the `joins` it needs (cheapest when reading many
    events, as for one client's), and `client_lookup_sql`, the same value looked up by key for each
    event read (cheapest when reading a table newest first until a page is full)."""

    label: str
    event_table: str
    tracked: type[models.Model]
    client_sql: str
    joins: str
    subject_sql: str
    client_lookup_sql: str


def _event_models() -> list[type[Event]]:
    return [m for m in apps.get_models() if issubclass(m, Event) and not m._meta.proxy]


def _has_client(model: type[models.Model]) -> bool:
    return any(f.name == "client" and f.is_relation for f in model._meta.concrete_fields)


def _client_of(tracked: type[models.Model]) -> tuple[str, str, str]:
    """(SQL for the client id, joins it needs, the same SQL without joins) of an event of `tracked`."""
    if tracked is Client:
        return "e.pgh_obj_id", "", "e.pgh_obj_id"
    if _has_client(tracked):
        return "e.client_id", "", "e.client_id"
    for parent_field in tracked._meta.concrete_fields:
        parent = parent_field.related_model if parent_field.is_relation else None
        if parent is None or parent is tracked or not _has_client(parent):  # type: ignore[arg-type]
            continue
        column, table, key = parent_field.column, parent._meta.db_table, parent._meta.pk.column  # type: ignore[union-attr]
        joins = f'LEFT JOIN "{table}" p ON p."{key}" = e."{column}"'
        lookup = f'(SELECT lp.client_id FROM "{table}" lp WHERE lp."{key}" = e."{column}")'  # noqa: S608  # nosec B608 - names from the models
        parent_events = getattr(parent, "pgh_event_model", None)
        if parent_events is None:
            return "p.client_id", joins, lookup
        fallback = (
            f'(SELECT pe.client_id FROM "{parent_events._meta.db_table}" pe '  # noqa: S608  # nosec B608 - names from the models
            f'WHERE pe.pgh_obj_id = e."{column}" ORDER BY pe.pgh_id DESC LIMIT 1)'
        )
        return f"COALESCE(p.client_id, {fallback})", joins, f"COALESCE({lookup}, {fallback})"
    return "NULL::bigint", "", "NULL::bigint"


def _subject_of(tracked: type[models.Model]) -> str:
    """The person a record is about (a team member, a credential's holder), if any."""
    for f in tracked._meta.concrete_fields:
        if f.name == "user" and f.is_relation and f.related_model is User:
            return f'e."{f.column}"'
    return "NULL::bigint"


@cache
def _branches() -> dict[str, _Branch]:
    branches = {}
    for event_model in _event_models():
        tracked = event_model.pgh_tracked_model
        client_sql, joins, lookup = _client_of(tracked)
        label = tracked._meta.label
        branches[label] = _Branch(
            label, event_model._meta.db_table, tracked, client_sql, joins, _subject_of(tracked), lookup
        )
    return branches


ACTOR_SQL = "CASE WHEN c.metadata->>'user' ~ '^[0-9]+$' THEN (c.metadata->>'user')::bigint END"


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _visible_client_sql(viewer: User, column: str) -> tuple[str, list[Any]]:
    """SQL true when the client whose id is in `column` exists and `viewer` may see it (the access
    rule, looked up by primary key for each row read rather than listing every visible client)."""
    same = RawSQL(column, (), output_field=models.BigIntegerField())  # noqa: S611  # nosec B611 - a column name from this module
    try:
        sql, params = visible_clients(viewer).order_by().filter(pk=same).values("id").query.sql_with_params()
    except EmptyResultSet:
        return "FALSE", []
    # OFFSET 0 keeps it a lookup per row read: without it PostgreSQL may hash every visible client (all
    # fifty thousand, for a managing partner) in each table's branch before reading its fifty rows.
    return f"EXISTS ({sql} OFFSET 0)", list(params)


def _keyset(at_sql: str, source: str, model_sql: str, id_sql: str, after: Cursor | None) -> tuple[str, list[Any]]:
    """The rows of one branch that come after `after` in the log's order: an index-friendly bound on
    the time, then the exact row comparison (the same one the merged page is ordered by)."""
    if after is None:
        return "", []
    sql = f"{at_sql} <= %s AND ({at_sql}, '{source}', {model_sql}, {id_sql}) < (%s, %s, %s, %s)"
    return sql, [after.at, after.at, after.source, after.model, after.id]


def _history_selects(viewer: User, which: AuditFilter, *, after: Cursor | None, limit: int) -> list[tuple[str, list]]:
    """For each event table, the keys (at, source, model, id) of its first `limit` events `viewer` may
    see that match `which`, newest first after `after`. Each branch is its own top-N, read backwards
    along the table's time index, so a page reads a few rows of each table rather than all of them."""
    where, where_params = [], []
    if not sees_whole_audit_log(viewer):
        seen, seen_params = _visible_client_sql(viewer, "h.client_id")
        where.append(f"(h.client_id IS NULL OR {seen})")
        where_params += seen_params
    if which.client is not None:
        where.append("h.client_id = %s")
        where_params.append(which.client.pk)
    if which.user is not None:
        where.append(f"({ACTOR_SQL} = %s OR h.subject_id = %s)")
        where_params += [which.user.pk, which.user.pk]
    if which.date_from is not None:
        where.append("h.at >= %s")
        where_params.append(_day_start(which.date_from))
    if which.date_to is not None:
        where.append("h.at < %s")
        where_params.append(_day_start(which.date_to + datetime.timedelta(days=1)))
    context_join = " LEFT JOIN pghistory_context c ON c.id = h.context_id" if which.user is not None else ""
    selects = []
    for branch in _branches().values():
        keyset, keyset_params = _keyset("h.at", HISTORY, "h.model", "h.id", after)
        conditions = [*where, keyset] if keyset else where
        # One client's events: join the parents once. Otherwise each event read looks its client up.
        one_client = which.client is not None
        client_sql, joins = (branch.client_sql, branch.joins) if one_client else (branch.client_lookup_sql, "")
        sql = (
            f"SELECT h.at, '{HISTORY}' AS source, h.model, h.id FROM ("  # noqa: S608  # nosec B608 - names from the models
            f"SELECT %s::text AS model, e.pgh_id AS id, e.pgh_created_at AS at, {client_sql} AS client_id, "
            f"{branch.subject_sql} AS subject_id, e.pgh_context_id AS context_id "
            f'FROM "{branch.event_table}" e {joins}) h{context_join}'
            + (f" WHERE {' AND '.join(conditions)}" if conditions else "")
            + " ORDER BY h.at DESC, h.id DESC LIMIT %s"
        )
        selects.append((sql, [branch.label, *where_params, *keyset_params, limit]))
    return selects


def page_keys(
    viewer: User, which: AuditFilter, *, after: Cursor | None, size: int
) -> tuple[list[tuple[datetime.datetime, str, str, int]], bool]:
    """The keys of one page (newest first, after `after`) and whether more follow: one query. Each
    source (the audit entries, each event table) gives at most a page of its own newest keys, and
    the page is the newest of those."""
    limit = size + 1
    entries = audit_entries(viewer, which).order_by("-at", "-id").values_list("at", "id")
    entries_sql, entries_params = entries.query.sql_with_params()
    keyset, keyset_params = _keyset("a.at", AUDIT, "''", "a.id", after)
    audit_select = (
        f"SELECT a.at, '{AUDIT}' AS source, ''::text AS model, a.id FROM ({entries_sql}) a"  # noqa: S608  # nosec B608 - names from the models
        + (f" WHERE {keyset}" if keyset else "")
        + " ORDER BY a.at DESC, a.id DESC LIMIT %s"
    )
    selects: list[tuple[str, list]] = []
    if which.kind != HISTORY_KIND:
        selects.append((audit_select, [*entries_params, *keyset_params, limit]))
    if which.kind in ("", HISTORY_KIND):
        selects += _history_selects(viewer, which, after=after, limit=limit)
    sql = (
        f"SELECT k.at, k.source, k.model, k.id FROM ({' UNION ALL '.join(f'({s})' for s, _ in selects)}) k "  # noqa: S608  # nosec B608 - names from the models
        "ORDER BY k.at DESC, k.source DESC, k.model DESC, k.id DESC LIMIT %s"
    )
    params = [*(p for _, branch_params in selects for p in branch_params), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    return keys[:size], len(keys) > size


def _history_rows(keys: list[tuple[datetime.datetime, str, str, int]]) -> dict[tuple[str, int], LogRow]:
    """The events behind `keys`, each with the event before it (for what changed): one query."""
    wanted: dict[str, list[int]] = {}
    for _, source, model, pk in keys:
        if source == HISTORY:
            wanted.setdefault(model, []).append(pk)
    if not wanted:
        return {}
    branches = _branches()
    parts, params = [], []
    for label, ids in wanted.items():
        branch = branches[label]
        parts.append(
            f"SELECT %s, e.pgh_id, e.pgh_created_at, e.pgh_label, e.pgh_obj_id::text, {branch.client_sql}, "  # noqa: S608  # nosec B608 - names from the models
            f"{branch.subject_sql}, {ACTOR_SQL}, to_jsonb(e), "
            f'(SELECT to_jsonb(pe) FROM "{branch.event_table}" pe WHERE pe.pgh_obj_id = e.pgh_obj_id '
            "AND pe.pgh_id < e.pgh_id ORDER BY pe.pgh_id DESC LIMIT 1) "
            f'FROM "{branch.event_table}" e {branch.joins} '
            "LEFT JOIN pghistory_context c ON c.id = e.pgh_context_id WHERE e.pgh_id = ANY(%s)"
        )
        params += [label, ids]
    rows = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for label, pk, at, event, obj_id, client_id, subject_id, actor_id, data, previous in cursor.fetchall():
            rows[(label, pk)] = _history_row(
                branches[label], pk, at, event, obj_id, client_id, subject_id, actor_id, data, previous
            )
    return rows


def _values(data: dict[str, Any] | str | None) -> dict[str, Any]:
    if isinstance(data, str):
        data = json.loads(data)
    return {k: v for k, v in (data or {}).items() if not k.startswith("pgh_") and k not in IGNORED_FIELDS}


def _history_row(
    branch: _Branch,
    pk: int,
    at: datetime.datetime,
    event: str,
    obj_id: str,
    client_id: int | None,
    subject_id: int | None,
    actor_id: int | None,
    data: Any,
    previous: Any,
) -> LogRow:
    now, before = _values(data), _values(previous)
    if event == "delete":
        changes: dict[str, list[Any]] = {}
    else:
        changes = {k: [before.get(k), v] for k, v in now.items() if before.get(k) != v}
    name = str(branch.tracked._meta.verbose_name)
    verb = VERBS.get(event, event.replace("_", " ").replace(".", ": ").capitalize())
    summary = f"{verb} {name} #{obj_id}"
    if event == "update" and changes:
        summary += ": " + ", ".join(changes)
    return LogRow(
        source=HISTORY,
        model=branch.label,
        id=pk,
        at=at,
        kind=HISTORY_KIND,
        kind_label=HISTORY_KIND_LABEL,
        summary=summary[:300],
        actor_id=actor_id,
        subject_user_id=subject_id,
        client_id=client_id,
        detail={"record": branch.label, "object": obj_id, "event": event, "changes": changes},
    )


def audit_row(entry: AuditEntry) -> LogRow:
    return LogRow(
        source=AUDIT,
        model="",
        id=entry.pk,
        at=entry.at,
        kind=entry.kind,
        kind_label=entry.get_kind_display(),
        summary=entry.summary,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        subject_user_id=entry.subject_user_id,
        client_id=entry.client_id,
        ip_address=entry.ip_address,
        detail=entry.detail,
    )


def log_page(viewer: User, which: AuditFilter, *, after: Cursor | None = None, size: int = 50) -> LogPage:
    """One page of the merged log, newest first: at most five queries, whatever `size`."""
    keys, more = page_keys(viewer, which, after=after, size=size)
    entry_ids = [pk for _, source, _, pk in keys if source == AUDIT]
    entries = {e.pk: audit_row(e) for e in AuditEntry.objects.filter(pk__in=entry_ids)} if entry_ids else {}
    events = _history_rows(keys)
    rows = []
    for _, source, model, pk in keys:
        row = entries.get(pk) if source == AUDIT else events.get((model, pk))
        if row is not None:
            rows.append(row)
    people = {r.actor_id for r in rows if r.source == HISTORY and r.actor_id}
    names = dict(User.objects.filter(pk__in=people).values_list("pk", "email")) if people else {}
    client_ids = {r.client_id for r in rows if r.client_id}
    clients = Client.objects.in_bulk(client_ids) if client_ids else {}
    for row in rows:
        if row.source == HISTORY and row.actor_id:
            row.actor_label = names.get(row.actor_id, f"user #{row.actor_id}")
        row.client = clients.get(row.client_id) if row.client_id else None
    last = keys[-1] if keys and more else None
    return LogPage(rows, Cursor(*last) if last else None)


def log_rows(viewer: User, which: AuditFilter, *, batch: int = 2000) -> Iterator[LogRow]:
    """The whole filtered log, newest first, read a batch at a time (for the streamed export)."""
    after = None
    while True:
        page = log_page(viewer, which, after=after, size=batch)
        yield from page.rows
        if page.next_cursor is None:
            return
        after = page.next_cursor
