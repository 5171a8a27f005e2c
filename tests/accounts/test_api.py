"""The REST API: token auth, filters, bad input, ETag / If-Match."""

import pytest

from accounts.models import Assignment, FeeRecord
from accounts.services_tokens import api_token_create
from tests.factories import ClientFactory, ServiceLineFactory, TierFactory

pytestmark = pytest.mark.django_db


def test_token_auth_lists_visible_clients(client, bob, normal_client, confidential_client):
    _, raw = api_token_create(actor=bob, name="script")
    response = client.get("/api/clients/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["results"]] == [normal_client.name]


def test_filtering_by_tier_and_crp(alice, bob, login):
    TierFactory(name="Maintain", rank=3)
    ClientFactory(name="Kept plc", crp=alice, tier=TierFactory(name="Maintain"))
    ClientFactory(name="Other plc", crp=bob)
    http = login(alice)
    assert [c["name"] for c in http.get("/api/clients/?tier=maintain").json()["results"]] == ["Kept plc"]
    assert [c["name"] for c in http.get(f"/api/clients/?crp={bob.pk}").json()["results"]] == ["Other plc"]


def test_update_without_if_match_is_428_and_stale_is_412(alice, normal_client, login):
    http = login(alice)
    url = f"/api/clients/{normal_client.pk}/"
    assert http.patch(url, {"notes": "x"}, content_type="application/json").status_code == 428
    etag = http.get(url).headers["ETag"]
    assert http.patch(url, {"notes": "first"}, content_type="application/json", HTTP_IF_MATCH=etag).status_code == 200
    stale = http.patch(url, {"notes": "second"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    normal_client.refresh_from_db()
    assert normal_client.notes == "first"


def test_create_client_refuses_duplicates_and_unknown_users(carol, normal_client, login):
    TierFactory()
    http = login(carol)
    response = http.post(
        "/api/clients/", {"name": normal_client.name, "tier": "Growth", "crp": 999999}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "crp" in response.json()
    response = http.post(
        "/api/clients/",
        {"name": normal_client.name.lower(), "tier": "Growth", "crp": carol.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "name" in response.json()


def test_fee_api_refuses_negative_amounts_bad_years_and_unknown_lines(alice, normal_client, login):
    http = login(alice)
    response = http.post(
        "/api/fees/",
        {"client": normal_client.pk, "service_line": 999999, "financial_year": "20x5", "amount": "-1"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"service_line", "financial_year", "amount"}
    assert not FeeRecord.objects.exists()


def test_fee_api_refuses_clients_outside_the_callers_edit_rights(bob, normal_client, confidential_client, login):
    http = login(bob)
    for client in (normal_client, confidential_client):
        response = http.post(
            "/api/fees/",
            {"client": client.pk, "service_line": ServiceLineFactory().pk, "financial_year": 2025, "amount": "10"},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert "client" in response.json()
    assert not FeeRecord.objects.exists()


def test_assignment_api_refuses_a_second_crp_and_an_end_before_start(alice, bob, mike, normal_client, login):
    response = login(mike).post(
        "/api/assignments/",
        {"client": normal_client.pk, "user": bob.pk, "role": "crp", "start_date": "2025-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    http = login(alice)
    team = http.post(
        "/api/assignments/",
        {"client": normal_client.pk, "user": bob.pk, "role": "team", "start_date": "2025-01-01"},
        content_type="application/json",
    )
    assert team.status_code == 201
    end = http.post(
        f"/api/assignments/{team.json()['id']}/end/", {"end_date": "2024-01-01"}, content_type="application/json"
    )
    assert end.status_code == 400
    assert Assignment.objects.get(pk=team.json()["id"]).end_date is None


def test_openapi_schema_and_docs_are_served_to_logged_in_users(alice, login, client):
    http = login(alice)
    schema = http.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/clients/" in schema.content
    assert http.get("/api/docs/").status_code == 200
    assert client.get("/api/schema/").status_code in (401, 403)
