"""The audit log as a streamed file: CSV or JSON lines, written row by row as the log is read a batch
at a time (audit entries and record history merged), so an export of years of entries holds a few
thousand rows in memory at a time."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from audit.log import LogRow

COLUMNS = ["id", "at", "kind", "actor", "subject_user", "client_id", "summary", "ip_address", "detail"]


def row_as_dict(row: LogRow) -> dict[str, Any]:
    return {
        "id": row.key,
        "at": row.at.isoformat(),
        "kind": row.kind,
        "actor": row.actor_label,
        "subject_user": row.subject_user_id,
        "client_id": row.client_id,
        "summary": row.summary,
        "ip_address": row.ip_address or "",
        "detail": row.detail,
    }


def _safe_cell(value: object) -> object:
    """A cell a spreadsheet would run as a formula (=, +, -, @) is read as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_lines(rows: Iterable[LogRow]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for entry in rows:
        row = row_as_dict(entry)
        row["detail"] = json.dumps(row["detail"], ensure_ascii=False, sort_keys=True, default=str)
        writer.writerow([_safe_cell(row[column]) for column in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def json_lines(rows: Iterable[LogRow]) -> Iterator[str]:
    for entry in rows:
        yield json.dumps(row_as_dict(entry), ensure_ascii=False, sort_keys=True, default=str) + "\n"
