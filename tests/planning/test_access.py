"""The access rule on plan pages, in-place edits and the planning API."""

import datetime

import pytest
from django.urls import reverse

from planning.models import Action, Risk

pytestmark = pytest.mark.django_db

# who: (sees normal plan, sees confidential plan, edits normal, edits confidential)
MATRIX = {
    "alice": (True, True, True, True),
    "bob": (True, False, False, False),
    "carol": (True, False, True, False),
    "mike": (True, True, True, True),
    "ada": (True, True, True, True),
}
HTMX = {"HTTP_HX_REQUEST": "true"}


def expected_write(sees: bool, edits: bool) -> int:
    return 200 if edits else 403 if sees else 404


@pytest.mark.parametrize("who", MATRIX)
def test_plan_pages_follow_the_matrix(who, users, plan, confidential_plan, login):
    sees_normal, sees_conf, edits_normal, edits_conf = MATRIX[who]
    http = login(users[who])
    assert http.get(reverse("plan-detail", args=[plan.pk])).status_code == 200
    assert http.get(reverse("plan-detail", args=[confidential_plan.pk])).status_code == (200 if sees_conf else 404)
    assert http.get(reverse("plan-row-add", args=[plan.pk, "risk"]), **HTMX).status_code == expected_write(
        sees_normal, edits_normal
    )
    assert http.get(reverse("plan-row-add", args=[confidential_plan.pk, "risk"]), **HTMX).status_code == expected_write(
        sees_conf, edits_conf
    )


@pytest.mark.parametrize("who", MATRIX)
def test_adding_a_risk_in_place_follows_the_matrix(who, users, plan, login):
    _, _, edits_normal, _ = MATRIX[who]
    response = login(users[who]).post(
        reverse("plan-row-add", args=[plan.pk, "risk"]),
        {
            "title": "Rival firm pitching",
            "category": "competitor",
            "likelihood": 4,
            "impact": 3,
            "status": "open",
        },
        **HTMX,
    )
    assert response.status_code == (200 if edits_normal else 403)
    assert Risk.objects.filter(title="Rival firm pitching").exists() is edits_normal


def test_a_read_only_plan_page_has_no_edit_buttons(plan, action, bob, login):
    body = login(bob).get(reverse("plan-detail", args=[plan.pk])).content.decode()
    assert "Read-only" in body
    assert reverse("plan-row-edit", args=[plan.pk, "action", action.pk]) not in body


def test_a_row_of_another_clients_plan_is_404_through_this_plan(plan, confidential_plan, alice, login):
    foreign = Action.objects.create(
        plan=confidential_plan, owner=alice, description="x", due_date=datetime.date(2026, 1, 1)
    )
    response = login(alice).get(reverse("plan-row-edit", args=[plan.pk, "action", foreign.pk]), **HTMX)
    assert response.status_code == 404


def test_the_confidential_clients_plan_never_leaks_through_the_api(confidential_plan, bob, login):
    http = login(bob)
    assert confidential_plan.pk not in [p["id"] for p in http.get("/api/plans/").json()["results"]]
    assert http.get(f"/api/plans/{confidential_plan.pk}/").status_code == 404


@pytest.mark.parametrize("who", MATRIX)
def test_api_writes_follow_the_matrix(who, users, plan, login):
    _, _, edits_normal, _ = MATRIX[who]
    http = login(users[who])
    etag = http.get(f"/api/plans/{plan.pk}/").headers["ETag"]
    response = http.patch(
        f"/api/plans/{plan.pk}/",
        {"north_star": "Lead in AI governance"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == (200 if edits_normal else 403)
    created = http.post(
        "/api/risks/",
        {"client": plan.client_id, "title": "Pricing pressure", "category": "pricing"},
        content_type="application/json",
    )
    assert created.status_code == (201 if edits_normal else 403)


def test_api_bad_input_is_a_field_error(plan, alice, login):
    response = login(alice).post(
        "/api/opportunities/",
        {
            "client": plan.client_id,
            "service_line": 999999,
            "description": "x",
            "estimated_fees": "-1",
            "probability": 150,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"estimated_fees", "probability"} <= set(response.json())


def test_api_refuses_an_inactive_action_owner_by_field(plan, alice, login):
    from tests.factories import UserFactory

    leaver = UserFactory(is_active=False)
    response = login(alice).post(
        "/api/actions/",
        {"plan": plan.pk, "owner": leaver.pk, "description": "x", "due_date": "2026-05-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "owner" in response.json()


def test_api_completes_a_transition_with_if_match(plan, alice, mike, login):
    from tests.factories import UserFactory

    successor = UserFactory()
    http = login(alice)
    created = http.post(
        "/api/transitions/",
        {
            "client": plan.client_id,
            "incoming": successor.pk,
            "reason": "succession",
            "overlap_start": "2026-01-01",
            "overlap_end": "2026-02-01",
            "consent_required": False,
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    url = f"/api/transitions/{created.json()['id']}/complete/"
    http = login(mike)  # the CRP plans the handover; a managing partner completes it
    assert http.post(url, {}, content_type="application/json").status_code == 428
    done = http.post(url, {}, content_type="application/json", HTTP_IF_MATCH=created.headers["ETag"])
    assert done.status_code == 200
    assert done.json()["status"] == "completed"


def test_schema_documents_if_match_412_and_428(alice, login):
    schema = login(alice).get("/api/schema/").content.decode()
    assert "If-Match" in schema
    assert "/api/actions/{id}/done/" in schema
    assert "'412'" in schema and "'428'" in schema
