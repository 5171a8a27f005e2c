"""Rows loaded with the audit triggers off get one insert event, dated when they were created."""

import datetime

import pgtrigger
import pytest
from django.utils import timezone

from core.history import history_backfill
from planning.models import Risk
from stakeholders.models import Relationship
from tests.factories import ClientFactory, RiskFactory, StakeholderFactory, UserFactory

pytestmark = pytest.mark.django_db

CREATED = timezone.make_aware(datetime.datetime(2025, 3, 1, 9))


def test_a_row_without_history_gets_one_insert_event_dated_at_its_creation():
    with pgtrigger.ignore("planning.Risk:insert_insert", "planning.Risk:update_update"):
        risk = RiskFactory(client=ClientFactory())
        Risk.objects.filter(pk=risk.pk).update(created_at=CREATED)
    assert not Risk.pgh_event_model.objects.filter(pgh_obj_id=risk.pk).exists()
    assert history_backfill(Risk) == 1
    event = Risk.pgh_event_model.objects.get(pgh_obj_id=risk.pk)
    assert (event.pgh_label, event.pgh_created_at, event.title) == ("insert", CREATED, risk.title)


def test_rows_with_history_are_left_alone_so_a_second_run_writes_nothing():
    RiskFactory(client=ClientFactory())  # recorded by its trigger
    before = Risk.pgh_event_model.objects.count()
    assert history_backfill(Risk) == 0
    assert Risk.pgh_event_model.objects.count() == before


def test_a_model_without_a_creation_time_is_dated_as_told():
    with pgtrigger.ignore("stakeholders.Relationship:insert_insert"):
        relationship = Relationship.objects.create(stakeholder=StakeholderFactory(), user=UserFactory(), strength=3)
    assert history_backfill(Relationship, undated=CREATED) == 1
    assert Relationship.pgh_event_model.objects.get(pgh_obj_id=relationship.pk).pgh_created_at == CREATED
