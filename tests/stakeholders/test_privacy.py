"""Personal-data rights: export everything about a stakeholder, and erase them on request."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Events

from health.measures import interaction_measures, senior_coverage
from stakeholders.models import Interaction, Stakeholder
from tests.factories import InteractionFactory, RelationshipFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


def statistics(client):
    today = timezone.localdate()
    return interaction_measures(today, [client.pk]), senior_coverage(today, [client.pk])


@pytest.fixture
def person(normal_client, alice):
    person = StakeholderFactory(
        client=normal_client,
        name="Grace Holloway",
        email="grace@client.example",
        phone="+44 20 7946 0000",
        seniority="board",
        buying_role="decision_maker",
    )
    RelationshipFactory(stakeholder=person, user=alice, strength=4)
    interaction = InteractionFactory(
        client=normal_client, firm_attendees=[alice], summary="Lunch with Grace Holloway about the panel", sentiment=2
    )
    interaction.stakeholders.add(person)
    return person


def test_export_holds_everything_about_the_person_and_is_audited(alice, person, login):
    response = login(alice).get(reverse("stakeholder-personal-data", args=[person.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["stakeholder"]["email"] == "grace@client.example"
    assert data["relationships"][0]["strength"] == 4
    assert data["interactions"][0]["summary"] == "Lunch with Grace Holloway about the panel"
    event = Events.objects.tracks(person).get(pgh_label="personal_data.exported")
    assert event.pgh_context["user"] == alice.pk


def test_erase_anonymises_the_person_everywhere_but_keeps_the_statistics(alice, person, normal_client, login):
    before = statistics(normal_client)
    http = login(alice)
    assert http.post(reverse("stakeholder-erase", args=[person.pk])).status_code == 302

    person.refresh_from_db()
    assert person.name == f"Erased stakeholder #{person.pk}" and person.email == "" and person.phone == ""
    assert person.seniority == "board" and person.relationships.count() == 1
    interaction = Interaction.objects.get(stakeholders=person)
    assert "Grace Holloway" not in interaction.summary and interaction.sentiment == 2
    history = Events.objects.references(person)
    assert not any("Grace Holloway" in json.dumps(event.pgh_data) for event in history)
    erased = Events.objects.tracks(person).get(pgh_label="personal_data.erased")
    assert erased.pgh_context["user"] == alice.pk
    assert statistics(normal_client) == before  # scores see the same statistics


def test_outsiders_can_neither_export_nor_erase(bob, person, login):
    http = login(bob)
    assert http.get(reverse("stakeholder-personal-data", args=[person.pk])).status_code == 403
    assert http.post(reverse("stakeholder-erase", args=[person.pk])).status_code == 403
    assert Stakeholder.objects.get(pk=person.pk).name == "Grace Holloway"


def test_api_exports_and_erases(alice, person, login):
    http = login(alice)
    assert http.get(f"/api/stakeholders/{person.pk}/personal-data/").json()["stakeholder"]["name"] == "Grace Holloway"
    assert http.post(f"/api/stakeholders/{person.pk}/erase/").json()["name"].startswith("Erased stakeholder")
