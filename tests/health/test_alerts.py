"""Alerts: a band drop or a 10-point fall notifies the CRP and SAM once, in-app and by email."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Notification, ServiceLine
from health.formula import ScoreResult
from health.models import HealthScore, Measurement
from health.services.alerts import AlertEvent, detect_events
from health.services.recompute import scores_recompute
from tests.dates import today
from tests.factories import ClientFactory, HealthScoreFactory, UserFactory
from tests.health.factories import client_with_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def slipping(scorecard):
    """A client that was green last week and has only a poor NPS today (so it scores red)."""
    crp, sam = UserFactory(email="crp@firm.example"), UserFactory(email="sam@firm.example")
    client = client_with_team(crp=crp, sam=sam)
    Measurement.objects.create(
        client=client,
        measure_key="client_nps",
        value=2,
        measured_on=today() - datetime.timedelta(days=2),
    )
    ServiceLine.objects.create(name="Tax")
    HealthScoreFactory(
        client=client,
        as_of=today() - datetime.timedelta(days=7),
        score=Decimal(80),
        band="green",
        coverage=Decimal(1),
        scorecard=scorecard,
    )
    return client, crp, sam


def test_band_drop_notifies_crp_and_sam(slipping, mailoutbox, django_capture_on_commit_callbacks):
    client, crp, sam = slipping
    with django_capture_on_commit_callbacks(execute=True):
        scores_recompute(client_ids=[client.pk])
    assert HealthScore.objects.get(client=client, as_of=today()).band == "red"
    notes = Notification.objects.filter(client=client)
    assert {n.user for n in notes if "dropped from green to red" in n.title} == {crp, sam}
    assert {m.to[0] for m in mailoutbox if "dropped" in m.subject} == {
        "crp@firm.example",
        "sam@firm.example",
    }


def test_a_fall_of_10_points_in_30_days_notifies(slipping):
    client, crp, _ = slipping
    scores_recompute(client_ids=[client.pk])
    assert Notification.objects.filter(user=crp, title__contains="fell").exists()


def test_the_same_event_notifies_once_however_often_recomputed(
    slipping, mailoutbox, django_capture_on_commit_callbacks
):
    client, crp, _ = slipping
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            scores_recompute(client_ids=[client.pk])
    assert Notification.objects.filter(user=crp).count() == 2  # the band drop and the fall
    assert len([m for m in mailoutbox if m.to == ["crp@firm.example"]]) == 2


def test_next_nights_recompute_of_a_still_red_client_is_quiet(slipping):
    client, crp, _ = slipping
    scores_recompute(client_ids=[client.pk], as_of=today() - datetime.timedelta(days=1))
    first = Notification.objects.filter(user=crp).count()
    scores_recompute(client_ids=[client.pk])
    assert Notification.objects.filter(user=crp).count() == first


def test_a_steady_client_raises_no_alert(scorecard):
    crp = UserFactory()
    client = client_with_team(crp=crp)
    scores_recompute(client_ids=[client.pk], as_of=today() - datetime.timedelta(days=1))
    scores_recompute(client_ids=[client.pk])
    assert not Notification.objects.exists()


def test_back_dated_recomputes_raise_no_alerts(slipping):
    client, _, _ = slipping
    scores_recompute(client_ids=[client.pk], as_of=today() - datetime.timedelta(days=3))
    assert not Notification.objects.exists()


def test_reading_the_scores_alerts_compare_against_costs_the_same_for_one_client_or_many(scorecard, count_queries):
    def was_green_last_week():
        client = ClientFactory()
        last_week = today() - datetime.timedelta(days=7)
        HealthScoreFactory(client=client, as_of=last_week, score=Decimal(80), band="green", scorecard=scorecard)
        return client

    def detect(clients) -> tuple[int, list[AlertEvent]]:
        results = {c.pk: ScoreResult(score=40.0, coverage=1.0, band="red") for c in clients}
        events: list[AlertEvent] = []
        queries = count_queries(lambda: events.extend(detect_events(results, today(), {})))
        return queries, events

    clients = [was_green_last_week()]
    at_one, events = detect(clients)
    assert {e.kind for e in events} == {"band_drop", "score_fall"}
    clients += [was_green_last_week() for _ in range(6)]
    at_seven, events = detect(clients)
    assert at_seven == at_one == 2
    assert len(events) == 14
