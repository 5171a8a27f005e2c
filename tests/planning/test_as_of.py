"""Risks and the pipeline as they stood on a past day, rebuilt from the audit history."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from planning.models import Opportunity, Risk
from planning.selectors.as_of import (
    open_opportunities_as_of,
    open_risks_as_of,
    severe_open_risk_counts_as_of,
)
from tests.factories import ClientFactory, OpportunityFactory, RiskFactory
from tests.history import recorded_at

pytestmark = pytest.mark.django_db

JAN, APR, JUL, OCT = (datetime.date(2026, m, 1) for m in (1, 4, 7, 10))
DAY = datetime.timedelta(days=1)


@pytest.fixture
def risk_lifecycle(normal_client, alice):
    """Raised on 1 April (4 × 4), downgraded on 1 July (2 × 2) and closed on 1 October."""
    with recorded_at(APR):
        risk = RiskFactory(client=normal_client, title="Panel re-tender", likelihood=4, impact=4, owner=alice)
    with recorded_at(JUL):
        risk.likelihood = risk.impact = 2
        risk.save()
    with recorded_at(OCT):
        Risk.objects.filter(pk=risk.pk).update(status="closed")  # bulk writes are recorded too
    return risk


def test_a_risk_is_read_as_it_stood_between_its_changes(risk_lifecycle, normal_client):
    assert open_risks_as_of([normal_client.pk], APR - DAY).of(normal_client.pk) == []
    in_spring = open_risks_as_of([normal_client.pk], APR + 10 * DAY).of(normal_client.pk)
    assert [(r.title, r.severity, str(r.owner)) for r in in_spring] == [
        ("Panel re-tender", 16, str(risk_lifecycle.owner))
    ]
    in_summer = open_risks_as_of([normal_client.pk], JUL).of(normal_client.pk)
    assert [r.severity for r in in_summer] == [4]
    assert open_risks_as_of([normal_client.pk], OCT).of(normal_client.pk) == []


def test_the_change_counts_from_the_day_it_was_made_not_before(risk_lifecycle, normal_client):
    assert [r.severity for r in open_risks_as_of([normal_client.pk], JUL - DAY).of(normal_client.pk)] == [16]
    assert [r.severity for r in open_risks_as_of([normal_client.pk], OCT - DAY).of(normal_client.pk)] == [4]


def test_a_deleted_risk_was_open_until_its_deletion(normal_client):
    with recorded_at(APR):
        risk = RiskFactory(client=normal_client)
    with recorded_at(JUL):
        risk.delete()
    assert len(open_risks_as_of([normal_client.pk], JUL - DAY).of(normal_client.pk)) == 1
    assert open_risks_as_of([normal_client.pk], JUL).of(normal_client.pk) == []


def test_a_closed_risk_reopened_later_counts_again(normal_client):
    with recorded_at(JAN):
        risk = RiskFactory(client=normal_client, status="closed")
    with recorded_at(JUL):
        Risk.objects.filter(pk=risk.pk).update(status="open")
    assert open_risks_as_of([normal_client.pk], APR).of(normal_client.pk) == []
    assert len(open_risks_as_of([normal_client.pk], JUL).of(normal_client.pk)) == 1


def test_a_day_before_any_history_says_where_history_starts(risk_lifecycle, normal_client):
    before = open_risks_as_of([normal_client.pk], JAN)
    assert before.history_starts == {normal_client.pk: APR}
    assert open_risks_as_of([normal_client.pk], APR).history_starts == {}


def test_a_client_without_any_risk_history_is_not_said_to_lack_it(normal_client):
    assert open_risks_as_of([normal_client.pk], JAN).history_starts == {}


def test_today_reads_the_register_as_it_stands(normal_client):
    RiskFactory(client=normal_client, likelihood=5, impact=5)
    today = timezone.localdate()
    assert [r.severity for r in open_risks_as_of([normal_client.pk], today).of(normal_client.pk)] == [25]


def test_the_pipeline_as_of_a_day_has_the_stage_and_fees_of_that_day(normal_client, alice):
    with recorded_at(APR):
        opportunity = OpportunityFactory(
            client=normal_client, owner=alice, stage="qualified", estimated_fees=Decimal("100000"), probability=30
        )
    with recorded_at(JUL):
        opportunity.stage, opportunity.estimated_fees, opportunity.probability = "proposal", Decimal("150000"), 60
        opportunity.save()
    with recorded_at(OCT):
        Opportunity.objects.filter(pk=opportunity.pk).update(stage="won", probability=100)
    spring = open_opportunities_as_of([normal_client.pk], APR).of(normal_client.pk)
    assert [(o.stage, o.estimated_fees, o.weighted_value) for o in spring] == [
        ("qualified", Decimal("100000"), Decimal("30000"))
    ]
    assert spring[0].service_line.name == opportunity.service_line.name
    summer = open_opportunities_as_of([normal_client.pk], JUL).of(normal_client.pk)
    assert [o.weighted_value for o in summer] == [Decimal("90000")]
    assert open_opportunities_as_of([normal_client.pk], OCT).of(normal_client.pk) == []


def test_severe_open_risks_are_counted_as_of_a_day(risk_lifecycle, normal_client):
    assert severe_open_risk_counts_as_of([normal_client.pk], APR, min_severity=15) == {normal_client.pk: 1}
    assert severe_open_risk_counts_as_of(None, JUL, min_severity=15) == {}
    assert severe_open_risk_counts_as_of(None, JUL, min_severity=4) == {normal_client.pk: 1}


def _clients_with_history(count: int) -> list[int]:
    ids = []
    for _ in range(count):
        client = ClientFactory()
        with recorded_at(APR):
            risk = RiskFactory(client=client)
            opportunity = OpportunityFactory(client=client)
        with recorded_at(JUL):
            Risk.objects.filter(pk=risk.pk).update(likelihood=5)
            opportunity.delete()
        ids.append(client.pk)
    return ids


@pytest.mark.parametrize("day", [APR - DAY, JUL])
def test_reading_many_clients_costs_the_queries_of_one(day, django_assert_max_num_queries):
    one = _clients_with_history(1)
    many = _clients_with_history(12)

    def read(ids):
        open_risks_as_of(ids, day)
        open_opportunities_as_of(ids, day)
        severe_open_risk_counts_as_of(ids, day, min_severity=15)

    with CaptureQueriesContext(connection) as for_one:
        read(one)
    assert len(for_one) == 5  # risks, their history start, pipeline, its history start, counts
    with django_assert_max_num_queries(len(for_one)):
        read(many)
