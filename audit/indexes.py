"""The index the audit log reads every history table by: (pgh_created_at, pgh_id).

A page of the log is the newest fifty rows in (time, id) order. Each history table's own index on its
time alone leaves ties to a sort, and a table filled by one import or one seeding transaction is one
tie as large as the table: so every table gets the pair, and a page reads a few rows of each.

History tables belong to the apps whose records they keep, and new ones come with new tracked
models, so the index is made after every `migrate` (for every history table there is then) rather
than in one migration that would miss the tables added after it.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.backends.utils import truncate_name

from audit.log import _event_models

SUFFIX = "_pgh_at_id"


def index_name(table: str) -> str:
    return truncate_name(f"{table}{SUFFIX}", 63)


def index_history_tables(using: str = "default", **kwargs: Any) -> list[str]:
    """Make the (time, id) index on every history table that lacks it; returns the tables indexed."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    made = []
    with connection.cursor() as cursor:
        for model in _event_models():
            table = model._meta.db_table
            if table not in existing:
                continue
            name = index_name(table)
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" (pgh_created_at, pgh_id)'  # nosec B608 - names from the models
            )
            made.append(table)
    return made
