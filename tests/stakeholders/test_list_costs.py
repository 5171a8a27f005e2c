"""The stakeholder and interaction API lists and the stakeholder page: the same queries whatever the
data size, last contact read for the page's rows only, and the same rows, order and wall as before."""

import datetime

import pytest

from tests.dates import days_from_today, today
from tests.factories import ClientFactory, InteractionFactory, RelationshipFactory, StakeholderFactory, UserFactory

pytestmark = pytest.mark.django_db


def _grow(client, n: int) -> None:
    for i in range(n):
        person = StakeholderFactory(client=client, name=f"Person {n}-{i}")
        RelationshipFactory(stakeholder=person, user=UserFactory())
        met = InteractionFactory(client=client, date=days_from_today(-i))
        met.stakeholders.add(person)


@pytest.mark.parametrize("url", ["/api/stakeholders/", "/api/interactions/", "/api/interactions/?stakeholder=1"])
def test_the_api_lists_run_the_same_queries_for_one_row_or_many(url, alice, normal_client, login, count_queries):
    http = login(alice)
    _grow(normal_client, 1)
    http.get(url)
    one = count_queries(lambda: http.get(url))
    _grow(normal_client, 12)
    _grow(ClientFactory(crp=alice), 12)
    assert count_queries(lambda: http.get(url)) == one <= 6


def test_last_contacted_is_each_persons_latest_interaction_and_sorts(alice, normal_client, login):
    early, late, never = (StakeholderFactory(client=normal_client, name=name) for name in ("Ann", "Bea", "Cy"))
    for person, days in [(early, 40), (early, 30), (late, 2), (late, 90)]:
        InteractionFactory(client=normal_client, date=today() - datetime.timedelta(days=days)).stakeholders.add(person)
    http = login(alice)
    rows = http.get("/api/stakeholders/").json()["results"]
    assert {r["name"]: r["last_contacted"] for r in rows} == {
        "Ann": (today() - datetime.timedelta(days=30)).isoformat(),
        "Bea": (today() - datetime.timedelta(days=2)).isoformat(),
        "Cy": None,
    }
    by_contact = http.get("/api/stakeholders/?ordering=last_contacted").json()["results"]
    assert [r["name"] for r in by_contact] == ["Ann", "Bea", "Cy"]
    assert http.get(f"/api/stakeholders/{never.pk}/").json()["last_contacted"] is None
    assert http.get("/api/stakeholders/").json()["count"] == 3


def test_interactions_filtered_by_attendee_or_stakeholder_are_listed_once_newest_first(
    alice, bob, normal_client, login
):
    ann, bea = StakeholderFactory(client=normal_client), StakeholderFactory(client=normal_client)
    older = InteractionFactory(client=normal_client, date=days_from_today(-5), firm_attendees=[alice, bob])
    older.stakeholders.add(ann, bea)
    newer = InteractionFactory(client=normal_client, date=days_from_today(-1), firm_attendees=[alice])
    newer.stakeholders.add(ann)
    http = login(alice)
    assert [r["id"] for r in http.get("/api/interactions/").json()["results"]] == [newer.pk, older.pk]
    assert [r["id"] for r in http.get(f"/api/interactions/?firm_attendee={alice.pk}").json()["results"]] == [
        newer.pk,
        older.pk,
    ]
    assert [r["id"] for r in http.get(f"/api/interactions/?stakeholder={ann.pk}").json()["results"]] == [
        newer.pk,
        older.pk,
    ]
    assert http.get(f"/api/interactions/?stakeholder={ann.pk}").json()["count"] == 2


def test_walled_stakeholders_and_interactions_stay_out_of_lists_and_counts(
    bob, normal_client, confidential_client, login
):
    StakeholderFactory(client=normal_client, name="Open")
    hidden = StakeholderFactory(client=confidential_client, name="Hidden")
    InteractionFactory(client=confidential_client).stakeholders.add(hidden)
    InteractionFactory(client=normal_client)
    http = login(bob)
    people = http.get("/api/stakeholders/").json()
    assert [r["name"] for r in people["results"]] == ["Open"] and people["count"] == 1
    met = http.get("/api/interactions/").json()
    assert {r["client"] for r in met["results"]} == {normal_client.pk} and met["count"] == 1
    assert http.get(f"/api/interactions/?stakeholder={hidden.pk}").status_code in (400, 200)
    assert http.get(f"/api/interactions/?stakeholder={hidden.pk}").json().get("count", 0) == 0


def test_the_stakeholder_page_runs_the_same_queries_for_few_people_or_many(alice, normal_client, login, count_queries):
    person = StakeholderFactory(client=normal_client, name="Dana")
    RelationshipFactory(stakeholder=person, user=alice)
    InteractionFactory(client=normal_client, firm_attendees=[alice]).stakeholders.add(person)
    http = login(alice)
    url = f"/stakeholders/{person.pk}/"
    http.get(url)
    one = count_queries(lambda: http.get(url))
    _grow(normal_client, 12)
    for _ in range(8):
        RelationshipFactory(stakeholder=person, user=UserFactory())
        InteractionFactory(client=normal_client, firm_attendees=[alice, UserFactory()]).stakeholders.add(person)
    assert count_queries(lambda: http.get(url)) == one <= 15
    page = http.get(url).content.decode()
    assert "Dana" in page and alice.full_name in page


def test_the_stakeholder_page_of_a_walled_client_is_a_404_outside_the_wall(bob, confidential_client, login):
    hidden = StakeholderFactory(client=confidential_client)
    assert login(bob).get(f"/stakeholders/{hidden.pk}/").status_code == 404
