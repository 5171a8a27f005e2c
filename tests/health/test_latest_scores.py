"""The latest score of each client, read by every page, API, alert and pack from one selector."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Client
from health.models import HealthScore
from health.selectors import latest_scores
from tests.dates import days_from_today, today
from tests.factories import ClientFactory, HealthScoreFactory

pytestmark = pytest.mark.django_db


def scored(client, days_ago: int, score: str, band: str, scorecard):
    return HealthScoreFactory(
        client=client, as_of=days_from_today(-days_ago), score=Decimal(score), band=band, scorecard=scorecard
    )


def newest(rows) -> dict[int, tuple[datetime.date, Decimal]]:
    return {row.client_id: (row.as_of, row.score) for row in rows}


def test_each_client_gets_its_newest_score_up_to_the_day(scorecard):
    steady, slipping, unscored = ClientFactory(), ClientFactory(), ClientFactory()
    scored(steady, 10, "80", "green", scorecard)
    scored(steady, 1, "78", "green", scorecard)
    scored(slipping, 40, "75", "green", scorecard)
    scored(slipping, 3, "35", "red", scorecard)
    assert newest(latest_scores([steady.pk, slipping.pk, unscored.pk])) == {
        steady.pk: (days_from_today(-1), Decimal(78)),
        slipping.pk: (days_from_today(-3), Decimal(35)),
    }


def test_as_of_a_past_day_ignores_the_scores_after_it(scorecard):
    client = ClientFactory()
    scored(client, 40, "75", "green", scorecard)
    scored(client, 3, "35", "red", scorecard)
    assert newest(latest_scores([client.pk], days_from_today(-10))) == {client.pk: (days_from_today(-40), Decimal(75))}
    assert not latest_scores([client.pk], days_from_today(-41)).exists()


def test_a_score_dated_after_today_is_not_the_latest_unless_asked_for(scorecard):
    client = ClientFactory()
    scored(client, 1, "60", "amber", scorecard)
    scored(client, -1, "90", "green", scorecard)
    assert newest(latest_scores([client.pk])) == {client.pk: (days_from_today(-1), Decimal(60))}
    assert newest(latest_scores([client.pk], days_from_today(1))) == {client.pk: (days_from_today(1), Decimal(90))}


def test_clients_may_be_a_queryset_and_scores_may_be_narrowed(scorecard):
    first, second = ClientFactory(sector="Energy"), ClientFactory(sector="Retail")
    scored(first, 20, "72", "green", scorecard)
    scored(first, 2, "50", "amber", scorecard)
    scored(second, 2, "30", "red", scorecard)
    assert set(newest(latest_scores(Client.objects.filter(sector="Energy")))) == {first.pk}
    greens = latest_scores(Client.objects.all(), today(), among=HealthScore.objects.filter(band="green"))
    assert newest(greens) == {first.pk: (days_from_today(-20), Decimal(72))}


def test_one_query_for_one_client_or_many(scorecard, count_queries):
    clients = [ClientFactory()]
    for days_ago in range(5):
        scored(clients[0], days_ago, "60", "amber", scorecard)

    def read() -> None:
        list(latest_scores([c.pk for c in clients]))

    assert count_queries(read) == 1
    for _ in range(12):
        clients.append(ClientFactory())
        for days_ago in range(5):
            scored(clients[-1], days_ago, "60", "amber", scorecard)
    assert count_queries(read) == 1
    assert len(latest_scores([c.pk for c in clients])) == 13
