"""The plan page and My actions run a fixed number of queries whatever the data size."""

import pytest
from django.urls import reverse

from accounts.models import Assignment
from planning.models import PanelAppointment
from tests.factories import AccountPlanFactory, ActionFactory, ClientFactory, StakeholderFactory
from tests.planning.conftest import fill_plan

pytestmark = pytest.mark.django_db

PLAN_PAGE_MAX = 15
MY_ACTIONS_MAX = 9  # session, user, feed, actions and their count, dates, pipeline, overdue reviews


def test_plan_page_queries_do_not_grow_with_the_plan(plan, alice, login, count_queries):
    stakeholder = StakeholderFactory(client=plan.client)
    PanelAppointment.objects.create(client=plan.client, panel_name="Legal panel")
    http = login(alice)
    url = reverse("plan-detail", args=[plan.pk])
    counts = []
    for size in (1, 29):
        fill_plan(plan, alice, size)
        for action in plan.actions.all()[:5]:
            action.stakeholders.add(stakeholder)
        http.get(url)
        counts.append(count_queries(lambda: http.get(url)))
    assert counts[1] == counts[0] <= PLAN_PAGE_MAX
    assert http.get(url).content.decode().count('data-testid="action-status"') == 30


def test_my_actions_queries_do_not_grow_with_clients(alice, login, count_queries):
    def add_clients(count):
        for _ in range(count):
            client = ClientFactory()
            Assignment.objects.create(client=client, user=alice, role="team")
            plan = AccountPlanFactory(client=client)
            ActionFactory.create_batch(3, plan=plan, owner=alice)
            PanelAppointment.objects.create(client=client, panel_name="Panel")

    http = login(alice)
    url = reverse("my-actions")
    add_clients(1)
    http.get(url)  # the calendar token is made on the first visit
    at_one = count_queries(lambda: http.get(url))
    add_clients(11)
    assert count_queries(lambda: http.get(url)) == at_one <= MY_ACTIONS_MAX
    assert http.get(url).content.decode().count('data-testid="my-action"') == 12 * 3


def test_my_actions_pages_a_long_list_fifty_at_a_time_overdue_first(alice, login, count_queries):
    from tests.dates import days_from_today

    client = ClientFactory()
    Assignment.objects.create(client=client, user=alice, role="team")
    plan = AccountPlanFactory(client=client)
    ActionFactory.create_batch(52, plan=plan, owner=alice)
    late = ActionFactory(plan=plan, owner=alice, description="Send the overdue proposal", due_date=days_from_today(-3))
    http = login(alice)
    url = reverse("my-actions")
    first = http.get(url).content.decode()
    assert "53 open actions" in first
    assert first.count('data-testid="my-action"') == 50
    assert late.description in first.split('data-testid="my-action"')[1]  # the overdue one leads
    assert 'rel="next"' in first and "Page 1 of 2" in first
    second = http.get(url, {"page": 2}).content.decode()
    assert second.count('data-testid="my-action"') == 3
    assert 'name="next" value="/my/actions/?page=2"' in second  # marking one done comes back to this page
    assert count_queries(lambda: http.get(url)) == count_queries(lambda: http.get(url, {"page": 2}))


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
