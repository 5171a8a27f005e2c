from decimal import Decimal
from importlib import import_module

import pytest

from health.default_scorecard import DEFAULT_MEASURES, DEFAULT_NOTE
from health.models import Measure, Scorecard
from health.services.recompute import current_scorecard


def test_the_migration_installs_the_default_of_today():
    """Migration 0003 keeps a frozen copy, and each later change its own data migration."""
    migration = import_module("health.migrations.0003_default_scorecard_v1")
    listening = import_module("listening.migrations.0002_listening_measures_in_scorecard")
    assert migration.DEFAULT_MEASURES + listening.ADDED == DEFAULT_MEASURES


@pytest.mark.django_db
def test_an_emptied_scorecard_table_gets_the_default_back():
    Scorecard.objects.all().delete()
    scorecard = current_scorecard()
    assert (scorecard.version, scorecard.is_current, scorecard.note) == (1, True, DEFAULT_NOTE)
    rows = list(Measure.objects.filter(scorecard=scorecard).order_by("position"))
    assert [(m.key, m.weight) for m in rows] == [(key, Decimal(weight)) for key, *_, weight, _ in DEFAULT_MEASURES]
