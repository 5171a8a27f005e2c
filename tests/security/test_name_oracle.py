"""Client names: saving a name must not tell someone outside a wall that a hidden client bears it.

The rule: names are unique among the clients the person saving may see. A clash only with a client
behind a wall they are outside of is saved like any new name, and managing partners and admins are
told, to resolve it.
"""

import json

import pytest

from accounts.models import Client, Notification
from core.concurrency import etag_for
from tests.factories import ClientFactory, TierFactory

pytestmark = pytest.mark.django_db


def test_bd_adding_a_client_with_a_hidden_clients_name_on_the_page_is_not_told_it_exists(
    login, carol, alice, mike, ada, confidential_client
):
    response = login(carol).post(
        "/clients/new/",
        {
            "name": confidential_client.name.upper(),
            "tier": TierFactory().pk,
            "status": "active",
            "crp": alice.pk,
            "review_cadence_days": 91,
        },
    )
    assert response.status_code == 302
    assert Client.objects.filter(name__iexact=confidential_client.name).count() == 2
    assert b"already exists" not in response.content
    told = Notification.objects.filter(title__contains="share the name").values_list("user__email", flat=True)
    assert sorted(told) == sorted([mike.email, ada.email])


def test_bd_adding_a_client_with_a_hidden_clients_name_by_api_is_not_told_it_exists(
    login, carol, alice, confidential_client
):
    response = login(carol).post(
        "/api/clients/",
        json.dumps({"name": confidential_client.name, "tier": TierFactory().name, "crp": alice.pk}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def test_a_partner_renaming_their_client_to_a_hidden_clients_name_is_not_told_it_exists(
    login, alice, bob, confidential_client
):
    mine = ClientFactory(name="Bob's Own Ltd", crp=bob)
    page = login(bob).post(
        f"/clients/{mine.pk}/edit/",
        {
            "name": confidential_client.name,
            "tier": mine.tier.pk,
            "status": "active",
            "review_cadence_days": 91,
            "version": mine.version,
        },
    )
    assert page.status_code == 302
    mine.refresh_from_db()
    api = login(bob).patch(
        f"/api/clients/{mine.pk}/",
        json.dumps({"name": confidential_client.name.lower()}),
        content_type="application/json",
        HTTP_IF_MATCH=etag_for(mine),
    )
    assert api.status_code == 200, api.content


def test_a_clash_with_a_client_the_person_may_see_is_still_refused_on_page_and_api(login, carol, alice, normal_client):
    page = login(carol).post(
        "/clients/new/",
        {
            "name": normal_client.name.lower(),
            "tier": normal_client.tier.pk,
            "status": "active",
            "crp": alice.pk,
            "review_cadence_days": 91,
        },
    )
    assert page.status_code == 200
    assert "A client with this name already exists." in page.content.decode()
    api = login(carol).post(
        "/api/clients/",
        json.dumps({"name": normal_client.name, "tier": normal_client.tier.name, "crp": alice.pk}),
        content_type="application/json",
    )
    assert api.status_code == 400
    assert api.json() == {"name": ["A client with this name already exists."]}


def test_inside_the_wall_a_clash_with_the_confidential_client_is_refused(login, mike, alice, confidential_client):
    api = login(mike).post(
        "/api/clients/",
        json.dumps({"name": confidential_client.name, "tier": confidential_client.tier.name, "crp": alice.pk}),
        content_type="application/json",
    )
    assert api.status_code == 400
    assert api.json() == {"name": ["A client with this name already exists."]}
