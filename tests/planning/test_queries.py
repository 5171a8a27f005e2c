"""The plan page and My actions run a fixed number of queries whatever the data size."""

import pytest
from django.urls import reverse

from accounts.models import Assignment
from planning.models import PanelAppointment
from tests.factories import AccountPlanFactory, ActionFactory, ClientFactory, StakeholderFactory
from tests.planning.conftest import fill_plan

pytestmark = pytest.mark.django_db

PLAN_PAGE_MAX = 15
MY_ACTIONS_MAX = 8  # session, user, feed, actions, dates, pipeline, overdue reviews


@pytest.mark.parametrize("size", [1, 30])
def test_plan_page_queries_do_not_grow_with_the_plan(
    size, plan, alice, login, django_assert_max_num_queries
):
    fill_plan(plan, alice, size)
    stakeholder = StakeholderFactory(client=plan.client)
    for action in plan.actions.all()[:5]:
        action.stakeholders.add(stakeholder)
    PanelAppointment.objects.create(client=plan.client, panel_name="Legal panel")
    http = login(alice)
    with django_assert_max_num_queries(PLAN_PAGE_MAX):
        response = http.get(reverse("plan-detail", args=[plan.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="action-status"') == size


@pytest.mark.parametrize("clients", [1, 12])
def test_my_actions_queries_do_not_grow_with_clients(
    clients, alice, login, django_assert_max_num_queries
):
    for _ in range(clients):
        client = ClientFactory()
        Assignment.objects.create(client=client, user=alice, role="team")
        plan = AccountPlanFactory(client=client)
        ActionFactory.create_batch(3, plan=plan, owner=alice)
        PanelAppointment.objects.create(client=client, panel_name="Panel")
    http = login(alice)
    http.get(reverse("my-actions"))  # the calendar token is made on the first visit
    with django_assert_max_num_queries(MY_ACTIONS_MAX):
        response = http.get(reverse("my-actions"))
    assert response.content.decode().count('data-testid="my-action"') == clients * 3


def test_the_client_page_shows_the_plan_section(plan, alice, login):
    body = login(alice).get(reverse("client-detail", args=[plan.client_id])).content.decode()
    assert "Account plans" in body
    assert reverse("plan-detail", args=[plan.pk]) in body


def test_plan_history_shows_who_changed_what(plan, objective, alice, login):
    from planning import services

    services.objective_update(actor=alice, objective=objective, expected_version=1, current_value=9)
    body = login(alice).get(reverse("plan-history", args=[plan.pk])).content.decode()
    assert "Alice Partner" in body
    assert "current_value" in body
