"""Bulk loads leave PostgreSQL with fresh planner statistics (row counts) for the tables they filled."""

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import Client
from health.models import HealthScore
from stakeholders.models import Interaction, Stakeholder

pytestmark = pytest.mark.django_db


def planner_rows(model) -> int:
    """The row count the planner believes the table has (set by ANALYZE; -1 or stale before it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        return int(cursor.fetchone()[0])


def test_seeding_the_demo_leaves_the_planner_the_real_row_counts():
    call_command("seed_demo", "--clients", "30", "--quiet")
    for model in (Client, Stakeholder, Interaction, HealthScore):
        assert planner_rows(model) == model.objects.count() > 0, model.__name__
