"""Starting, activating and archiving plans from the pages."""

import pytest
from django.urls import reverse

from planning.models import AccountPlan

pytestmark = pytest.mark.django_db


def test_starting_next_years_plan_from_the_client_page_copies_objectives(plan, objective, alice, login):
    response = login(alice).post(
        reverse("plan-create", args=[plan.client_id]),
        {"year": plan.year + 1, "from_last_year": "on"},
    )
    new = AccountPlan.objects.get(client=plan.client, year=plan.year + 1)
    assert response.status_code == 302
    assert response.url == new.get_absolute_url()
    assert [o.title for o in new.objectives.all()] == [objective.title]


def test_a_duplicate_year_from_the_client_page_is_refused_with_a_message(plan, alice, login):
    response = login(alice).post(reverse("plan-create", args=[plan.client_id]), {"year": plan.year}, follow=True)
    assert "already has a plan for" in response.content.decode()
    assert AccountPlan.objects.filter(client=plan.client).count() == 1


def test_activating_a_draft_archives_the_current_plan(plan, alice, login):
    draft = AccountPlan.objects.create(client=plan.client, year=plan.year + 1)
    login(alice).post(reverse("plan-status", args=[draft.pk, "activate"]), {"version": draft.version})
    assert dict(AccountPlan.objects.values_list("year", "status")) == {
        plan.year: "archived",
        plan.year + 1: "active",
    }


def test_client_plans_link_opens_the_active_plan(plan, alice, login):
    response = login(alice).get(reverse("client-plans", args=[plan.client_id]))
    assert response.url == plan.get_absolute_url()


def test_editing_the_plan_headline_in_place_saves_the_persona(plan, alice, login):
    response = login(alice).post(
        reverse("plan-summary-edit", args=[plan.pk]),
        {
            "north_star": "Grow",
            "relationship_objectives": "",
            "value_proposition": "",
            "persona": "rainmaker",
            "last_reviewed": "",
            "version": plan.version,
        },
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="persona">Rainmaker<' in response.content.decode()
    plan.refresh_from_db()
    assert (plan.persona, plan.version) == ("rainmaker", 2)
