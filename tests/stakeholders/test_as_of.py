"""The stakeholder map and the firm's relationships as they stood on a past day."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stakeholders.models import Relationship, Stakeholder
from stakeholders.selectors.as_of import (
    active_stakeholders_as_of,
    best_strengths_as_of,
    senior_coverage_as_of,
)
from tests.factories import ClientFactory, RelationshipFactory, StakeholderFactory, UserFactory
from tests.history import recorded_at

pytestmark = pytest.mark.django_db

JAN, APR, JUL, OCT = (datetime.date(2026, m, 1) for m in (1, 4, 7, 10))
DAY = datetime.timedelta(days=1)


@pytest.fixture
def cfo_story(normal_client, alice):
    """A CFO mapped on 1 April whom Alice barely knows; by 1 July she knows her well; on 1 October
    the CFO leaves the client."""
    with recorded_at(APR):
        cfo = StakeholderFactory(client=normal_client, name="Cara Finance", seniority="c_suite", influence=5)
        StakeholderFactory(client=normal_client, name="Uma User", seniority="other", influence=2)
        link = RelationshipFactory(stakeholder=cfo, user=alice, strength=2)
    with recorded_at(JUL):
        link.strength = 4
        link.save()
    with recorded_at(OCT):
        Stakeholder.objects.filter(pk=cfo.pk).update(status="left")
    return cfo


def test_the_map_is_read_as_it_stood_on_the_day(cfo_story, normal_client):
    assert active_stakeholders_as_of([normal_client.pk], APR - DAY).of(normal_client.pk) == []
    spring = active_stakeholders_as_of([normal_client.pk], APR).of(normal_client.pk)
    assert [p.name for p in spring] == ["Cara Finance", "Uma User"]
    autumn = active_stakeholders_as_of([normal_client.pk], OCT).of(normal_client.pk)
    assert [p.name for p in autumn] == ["Uma User"]


def test_relationship_strength_is_the_one_of_the_day(cfo_story, normal_client):
    assert best_strengths_as_of([normal_client.pk], APR) == {cfo_story.pk: 2}
    assert best_strengths_as_of([normal_client.pk], JUL) == {cfo_story.pk: 4}


def test_senior_coverage_follows_the_history(cfo_story, normal_client):
    def coverage(day):
        return senior_coverage_as_of([normal_client.pk], day, min_strength=3)

    assert coverage(JAN) == {}
    assert coverage(APR) == {normal_client.pk: (1, 0)}
    assert coverage(JUL) == {normal_client.pk: (1, 1)}
    assert coverage(OCT) == {}  # the CFO has left


def test_a_deleted_relationship_stops_covering_from_its_deletion(normal_client, alice):
    with recorded_at(APR):
        ceo = StakeholderFactory(client=normal_client, seniority="board")
        link = RelationshipFactory(stakeholder=ceo, user=alice, strength=5)
    with recorded_at(JUL):
        Relationship.objects.filter(pk=link.pk).delete()
    assert senior_coverage_as_of(None, JUL - DAY, min_strength=3) == {normal_client.pk: (1, 1)}
    assert senior_coverage_as_of(None, JUL, min_strength=3) == {normal_client.pk: (1, 0)}


def test_a_day_before_the_map_was_recorded_says_so(cfo_story, normal_client):
    assert active_stakeholders_as_of([normal_client.pk], JAN).history_starts == {normal_client.pk: APR}
    assert active_stakeholders_as_of([normal_client.pk], JUL).history_starts == {}


def test_today_reads_the_map_as_it_stands(normal_client, alice):
    person = StakeholderFactory(client=normal_client, seniority="board")
    RelationshipFactory(stakeholder=person, user=alice, strength=3)
    today = timezone.localdate()
    assert senior_coverage_as_of([normal_client.pk], today, min_strength=3) == {normal_client.pk: (1, 1)}
    assert [p.pk for p in active_stakeholders_as_of([normal_client.pk], today).of(normal_client.pk)] == [person.pk]


def _clients_with_history(count: int) -> list[int]:
    partner = UserFactory()
    ids = []
    for _ in range(count):
        client = ClientFactory()
        with recorded_at(APR):
            person = StakeholderFactory(client=client, seniority="board")
            link = RelationshipFactory(stakeholder=person, user=partner, strength=2)
        with recorded_at(JUL):
            Relationship.objects.filter(pk=link.pk).update(strength=4)
        ids.append(client.pk)
    return ids


@pytest.mark.parametrize("day", [APR, JUL])
def test_reading_many_clients_costs_the_queries_of_one(day, django_assert_max_num_queries):
    one = _clients_with_history(1)
    many = _clients_with_history(12)

    def read(ids):
        active_stakeholders_as_of(ids, day)
        best_strengths_as_of(ids, day)
        senior_coverage_as_of(ids, day, min_strength=3)

    with CaptureQueriesContext(connection) as for_one:
        read(one)
    assert len(for_one) == 4  # people, their history start, strengths, coverage
    with django_assert_max_num_queries(len(for_one)):
        read(many)
