"""The audit log as a streamed file: CSV or JSON lines, written row by row from a server-side cursor,
so an export of years of entries holds a few thousand rows in memory at a time."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from django.db.models import QuerySet

from audit.models import AuditEntry

COLUMNS = ["id", "at", "kind", "actor", "subject_user", "client_id", "summary", "ip_address", "detail"]
CHUNK = 2000


def _row(entry: AuditEntry) -> dict:
    return {
        "id": entry.pk,
        "at": entry.at.isoformat(),
        "kind": entry.kind,
        "actor": entry.actor_label,
        "subject_user": entry.subject_user_id,
        "client_id": entry.client_id,
        "summary": entry.summary,
        "ip_address": entry.ip_address or "",
        "detail": entry.detail,
    }


def _safe_cell(value: object) -> object:
    """A cell a spreadsheet would run as a formula (=, +, -, @) is read as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_lines(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for entry in entries.iterator(chunk_size=CHUNK):
        row = _row(entry)
        row["detail"] = json.dumps(row["detail"], ensure_ascii=False, sort_keys=True)
        writer.writerow([_safe_cell(row[column]) for column in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def json_lines(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    for entry in entries.iterator(chunk_size=CHUNK):
        yield json.dumps(_row(entry), ensure_ascii=False, sort_keys=True) + "\n"
