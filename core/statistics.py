"""Planner statistics after a bulk load.

PostgreSQL plans from the row counts and value spreads ANALYZE records. Autovacuum refreshes them
eventually, or never where it is off; until then a table that grew from nothing to thousands of rows
in one load is planned as if it were empty (seq scans and nested loops: a dashboard ten times
slower). Every bulk load (demo seeding, imports, recompute-all) ends by calling `tables_analyze`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import connection
from django.db.models import Model


def tables_of(models: Iterable[type[Model]]) -> list[str]:
    """The tables of `models` and of their many-to-many link tables, in a stable order."""
    tables: set[str] = set()
    for model in models:
        tables.add(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            assert through is not None  # set on every many-to-many field once models load
            tables.add(through._meta.db_table)
    return sorted(tables)


def tables_analyze(*models: type[Model] | str) -> list[str]:
    """ANALYZE the tables of `models` (all of `app_labels`' models when given as strings)."""
    resolved: list[type[Model]] = []
    for model in models:
        if isinstance(model, str):
            resolved += list(apps.get_app_config(model).get_models())
        else:
            resolved.append(model)
    tables = tables_of(resolved)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')
    return tables
