"""No lost updates: two people edit the same record; the first save wins, the second is told."""

import pytest
from django.urls import reverse

from planning.models import Action, Objective

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def carol_on_team(normal_client):
    from accounts.models import Assignment
    from tests.factories import UserFactory

    colleague = UserFactory(email="colleague@firm.example", full_name="Colin Colleague")
    Assignment.objects.create(client=normal_client, user=colleague, role="team")
    return colleague


def edit_form(http, plan, kind, pk) -> str:
    response = http.get(reverse("plan-row-edit", args=[plan.pk, kind, pk]), **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def post_action(http, plan, action, description, version):
    return http.post(
        reverse("plan-row-edit", args=[plan.pk, "action", action.pk]),
        {
            "description": description,
            "owner": action.owner_id,
            "due_date": action.due_date.isoformat(),
            "status": "open",
            "version": version,
        },
        **HTMX,
    )


def test_second_save_of_a_stale_action_is_refused_and_shows_the_first_persons_change(
    plan, action, alice, carol_on_team, login
):
    first, second = login(alice), login(carol_on_team)
    edit_form(first, plan, "action", action.pk)
    edit_form(second, plan, "action", action.pk)  # both loaded version 1

    won = post_action(first, plan, action, "Call the GC before the board meeting", 1)
    lost = post_action(second, plan, action, "Email the GC instead", 1)

    assert "Call the GC before the board meeting" in won.content.decode()
    body = lost.content.decode()
    assert 'data-testid="conflict"' in body
    assert "Alice Partner saved this action" in body  # who
    assert "Their change" in body
    assert "Call the GC before the board meeting" in body  # their change, shown
    assert "Email the GC instead" in body  # mine, kept in the form
    assert Action.objects.get(pk=action.pk).description == "Call the GC before the board meeting"


def test_the_refused_person_can_reapply_their_change_over_the_new_version(plan, action, alice, carol_on_team, login):
    first, second = login(alice), login(carol_on_team)
    post_action(first, plan, action, "First wording", 1)
    conflict = post_action(second, plan, action, "Second wording", 1).content.decode()
    assert 'name="version" value="2"' in conflict  # the form now carries the version it was shown

    post_action(second, plan, action, "Second wording", 2)
    stored = Action.objects.get(pk=action.pk)
    assert (stored.description, stored.version) == ("Second wording", 3)


def test_marking_done_a_stale_action_is_refused(plan, action, alice, carol_on_team, login):
    post_action(login(alice), plan, action, "Reworded", 1)
    response = login(carol_on_team).post(reverse("plan-action-done", args=[plan.pk, action.pk]), {"version": 1}, **HTMX)
    assert 'data-testid="conflict"' in response.content.decode()
    assert Action.objects.get(pk=action.pk).status == "open"


def test_a_stale_objective_edit_keeps_the_first_value(plan, objective, alice, carol_on_team, login):
    url = reverse("plan-row-edit", args=[plan.pk, "objective", objective.pk])
    data = {
        "title": objective.title,
        "horizon": "short",
        "kpi": "",
        "baseline_value": "0",
        "target_value": "10",
        "version": 1,
    }
    login(alice).post(url, {**data, "current_value": "6"}, **HTMX)
    login(carol_on_team).post(url, {**data, "current_value": "8"}, **HTMX)
    assert Objective.objects.get(pk=objective.pk).current_value == 6


def test_a_stale_plan_summary_edit_is_refused_with_the_other_change(plan, alice, carol_on_team, login):
    url = reverse("plan-summary-edit", args=[plan.pk])
    data = {
        "relationship_objectives": "",
        "value_proposition": "",
        "persona": "",
        "last_reviewed": "",
        "version": 1,
    }
    login(alice).post(url, {**data, "north_star": "Expand into Asia"}, **HTMX)
    body = login(carol_on_team).post(url, {**data, "north_star": "Consolidate in Europe"}, **HTMX).content.decode()
    assert "Expand into Asia" in body and "Consolidate in Europe" in body
    plan.refresh_from_db()
    assert plan.north_star == "Expand into Asia"


def test_api_write_without_if_match_is_428(action, alice, login):
    response = login(alice).patch(f"/api/actions/{action.pk}/", {"description": "x"}, content_type="application/json")
    assert response.status_code == 428


def test_api_write_with_a_stale_etag_is_412_and_changes_nothing(action, alice, carol_on_team, login):
    first, second = login(alice), login(carol_on_team)
    etag = first.get(f"/api/actions/{action.pk}/").headers["ETag"]
    assert second.get(f"/api/actions/{action.pk}/").headers["ETag"] == etag
    ok = first.patch(
        f"/api/actions/{action.pk}/",
        {"description": "Mine"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    stale = second.patch(
        f"/api/actions/{action.pk}/",
        {"description": "Theirs"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert (ok.status_code, stale.status_code) == (200, 412)
    assert ok.headers["ETag"] != etag
    assert Action.objects.get(pk=action.pk).description == "Mine"


def test_ticking_a_checklist_step_in_place_saves_it(plan, alice, login):
    from planning import services

    step = services.checklist_item_create(actor=alice, client=plan.client, phase="30", text="Meet the GC")
    url = reverse("plan-checklist-toggle", args=[plan.pk, step.pk])
    body = login(alice).post(url, {"version": 1, "done": "on"}, **HTMX).content.decode()
    step.refresh_from_db()
    assert (step.done, step.version) == (True, 2)
    assert 'class="done"' in body


def test_an_invalid_inline_edit_shows_the_field_error_and_saves_nothing(plan, objective, alice, login):
    url = reverse("plan-row-edit", args=[plan.pk, "objective", objective.pk])
    body = (
        login(alice)
        .post(url, {"title": "", "horizon": "short", "baseline_value": "0", "version": 1}, **HTMX)
        .content.decode()
    )
    assert "This field is required" in body
    assert Objective.objects.get(pk=objective.pk).title == "Win the panel review"
