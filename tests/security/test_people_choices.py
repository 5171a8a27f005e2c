"""Choice lists of people and clients are built from what the user may see, and people who take part in a
client's work (owners, attendees) are active firm people who may see it — on pages and API alike."""

import json
import re

import pytest

from tests.factories import AccountPlanFactory, UserFactory

pytestmark = pytest.mark.django_db

MISSING = 987_654


def _normalised(body: bytes, *ids: int) -> str:
    """The page without its per-request CSRF token and script nonce, and without the echo of the id typed in the URL."""
    text = re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce=")[^"]+', r"\1-", body.decode())
    for pk in ids:
        text = text.replace(f"crp={pk}", "crp=ID").replace(f'value="{pk}"', 'value="ID"')
    return text


def test_clients_page_crp_filter_offers_no_partner_who_leads_only_hidden_clients(
    login, bob, carol, mike, normal_client, confidential_client, crp_of_wall
):
    for outsider in (bob, carol):
        assert crp_of_wall.full_name not in login(outsider).get("/clients/").content.decode()
    assert crp_of_wall.full_name in login(mike).get("/clients/").content.decode()


@pytest.mark.parametrize("path", ["/clients/", "/dashboard/"])
def test_page_crp_filter_answers_a_hidden_leader_like_a_missing_one(
    login, bob, normal_client, confidential_client, crp_of_wall, path
):
    http = login(bob)
    hidden = http.get(path, {"crp": crp_of_wall.pk})
    missing = http.get(path, {"crp": MISSING})
    assert hidden.status_code == missing.status_code == 200
    assert _normalised(hidden.content, crp_of_wall.pk, MISSING) == _normalised(missing.content, crp_of_wall.pk, MISSING)


def test_dashboard_api_crp_filter_answers_a_hidden_leader_like_a_missing_one(
    login, carol, normal_client, confidential_client, crp_of_wall
):
    http = login(carol)
    hidden = http.get("/api/dashboard/", {"crp": crp_of_wall.pk})
    missing = http.get("/api/dashboard/", {"crp": MISSING})
    assert (hidden.status_code, hidden.content) == (missing.status_code, missing.content)


def test_api_refuses_a_walled_off_partner_as_action_owner(login, alice, bob, confidential_client):
    plan = AccountPlanFactory(client=confidential_client)
    response = login(alice).post(
        "/api/actions/",
        json.dumps({"plan": plan.pk, "description": "Call the GC", "owner": bob.pk, "due_date": "2030-01-01"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"owner": [f"{bob} is walled off from this client."]}


def test_api_refuses_an_inactive_person_as_risk_owner(login, alice, normal_client):
    retired = UserFactory(is_active=False)
    response = login(alice).post(
        "/api/risks/",
        json.dumps({"client": normal_client.pk, "title": "Pitch", "category": "competitor", "owner": retired.pk}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"owner": [f"{retired} is not an active firm user."]}


@pytest.mark.parametrize(
    "path,body",
    [
        ("/api/interactions/", {"date": "2024-01-02", "summary": "Lunch", "kind": "meeting"}),
        ("/api/reviews/", {"planned_date": "2030-01-02"}),
    ],
)
def test_api_refuses_a_walled_off_partner_as_attendee(login, alice, bob, confidential_client, path, body):
    response = login(alice).post(
        path,
        json.dumps({**body, "client": confidential_client.pk, "firm_attendees": [bob.pk]}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"firm_attendees": [f"{bob} is walled off from this client."]}


def test_plan_page_offers_no_walled_off_partner_as_owner(login, alice, bob, confidential_client):
    plan = AccountPlanFactory(client=confidential_client)
    page = login(alice).get(f"/plans/{plan.pk}/").content.decode()
    assert "Alice Partner" in page
    assert bob.full_name not in page
