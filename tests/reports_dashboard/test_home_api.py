"""Found by the authorization sweep: the partner-home API listed dicts as if they were models (500)."""

import pytest

from tests.factories import HealthScoreFactory

pytestmark = pytest.mark.django_db


def test_home_api_lists_my_clients_with_their_bands(alice, normal_client, confidential_client, bob, login):
    HealthScoreFactory(client=normal_client, band="red", score=30)
    body = login(alice).get("/api/dashboard/home/").json()
    assert {c["name"]: c["band"] for c in body["clients"]}[normal_client.name] == "red"
    outsider = login(bob).get("/api/dashboard/home/").content.decode()
    assert confidential_client.name not in outsider
