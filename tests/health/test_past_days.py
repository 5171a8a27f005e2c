"""A past day is scored on the stakeholder map and the risk register as they stood that day."""

import datetime

import pytest

from health.models import HealthScore
from health.services.recompute import load_scorecard, raw_values_for, scores_recompute
from planning.models import Risk
from stakeholders.models import Relationship
from tests.dates import days_from_today, today
from tests.factories import RelationshipFactory, RiskFactory, StakeholderFactory
from tests.history import recorded_at

pytestmark = pytest.mark.django_db

HISTORY_KEYS = ("senior_coverage", "open_risks")


@pytest.fixture
def covered_client_with_a_severe_risk(normal_client, alice):
    with recorded_at(past_day() - datetime.timedelta(days=30)):
        RiskFactory(client=normal_client, likelihood=5, impact=4)
        chair = StakeholderFactory(client=normal_client, seniority="board")
        RelationshipFactory(stakeholder=chair, user=alice, strength=4)
    return normal_client


def past_day() -> datetime.date:
    return days_from_today(-60)


def history_measures(client, day):
    raws = raw_values_for(load_scorecard(), day, [client.pk])[client.pk]
    return {key: raws[key] for key in HISTORY_KEYS}


def test_a_past_day_reads_what_the_day_itself_read(covered_client_with_a_severe_risk, scorecard):
    client = covered_client_with_a_severe_risk
    # Nothing has changed since the past day: the history gives what the rows give today.
    assert history_measures(client, past_day()) == history_measures(client, today())
    assert history_measures(client, past_day()) == {"senior_coverage": 1.0, "open_risks": 1.0}


def test_later_changes_do_not_rewrite_a_past_score(covered_client_with_a_severe_risk, scorecard):
    client = covered_client_with_a_severe_risk
    scores_recompute(as_of=past_day(), client_ids=[client.pk], alert=False)
    before = HealthScore.objects.get(client=client, as_of=past_day())
    with recorded_at(past_day() + datetime.timedelta(days=10)):
        Risk.objects.filter(client=client).update(status="closed")
        Relationship.objects.filter(stakeholder__client=client).update(strength=1)

    scores_recompute(as_of=past_day(), client_ids=[client.pk], alert=False)

    after = HealthScore.objects.get(client=client, as_of=past_day())
    assert (after.score, after.components) == (before.score, before.components)
    assert history_measures(client, today()) == {"senior_coverage": 0.0, "open_risks": 0.0}


def test_a_past_day_before_the_rows_were_recorded_sees_none_of_them(covered_client_with_a_severe_risk, scorecard):
    long_ago = past_day() - datetime.timedelta(days=90)
    assert history_measures(covered_client_with_a_severe_risk, long_ago) == {
        "senior_coverage": 0.0,
        "open_risks": 0.0,
    }
