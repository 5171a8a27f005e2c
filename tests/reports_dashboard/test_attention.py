""" "Needs attention" picks out the clients to act on, worst first, with thresholds from settings."""

import datetime

import pytest
from django.urls import reverse

from tests.dates import today
from tests.factories import AccountPlanFactory, ActionFactory, ClientFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def client_with_overdue_actions(name, crp, score, overdue, band="green", value=80):
    client = ClientFactory(name=name, crp=crp)
    score(client, value, band)
    InteractionFactory(client=client, date=today())
    plan = AccountPlanFactory(client=client)
    for _ in range(overdue):
        ActionFactory(plan=plan, owner=crp, due_date=today() - datetime.timedelta(days=5))
    return client


def attention_rows(http, **query):
    response = http.get(reverse("dashboard"), {"mine": "0", "attention": "any", **query})
    return [row.client.name for row in response.context["table"].rows]


def test_one_late_action_is_not_a_reason_but_a_stalled_plan_is(alice, login, score):
    client_with_overdue_actions("One Late Action plc", alice, score, overdue=1)
    client_with_overdue_actions("Stalled Plan plc", alice, score, overdue=3)
    assert attention_rows(login(alice)) == ["Stalled Plan plc"]


def test_the_overdue_actions_threshold_is_a_setting(alice, login, score, settings):
    settings.ATTENTION_OVERDUE_ACTIONS = 1
    client_with_overdue_actions("One Late Action plc", alice, score, overdue=1)
    assert attention_rows(login(alice)) == ["One Late Action plc"]


def test_no_contact_threshold_is_a_setting(alice, login, score, settings):
    client = ClientFactory(name="Quiet Since Spring plc", crp=alice)
    score(client, 80, "green")
    InteractionFactory(client=client, date=today() - datetime.timedelta(days=60))
    http = login(alice)
    assert attention_rows(http) == []
    settings.ATTENTION_NO_CONTACT_DAYS = 45
    assert attention_rows(http) == ["Quiet Since Spring plc"]


def test_clients_needing_attention_are_listed_worst_first(alice, login, score):
    client_with_overdue_actions("Amber Stalled plc", alice, score, overdue=3, band="amber", value=55)
    client_with_overdue_actions("Red Deep plc", alice, score, overdue=0, band="red", value=20)
    client_with_overdue_actions("Red Shallow plc", alice, score, overdue=0, band="red", value=35)
    client_with_overdue_actions("Green Stalled plc", alice, score, overdue=4, band="green", value=85)
    assert attention_rows(login(alice)) == ["Red Deep plc", "Red Shallow plc", "Amber Stalled plc", "Green Stalled plc"]


def test_a_chosen_sort_still_wins_over_the_attention_ranking(alice, login, score):
    client_with_overdue_actions("Zulu Red plc", alice, score, overdue=0, band="red", value=20)
    client_with_overdue_actions("Alpha Stalled plc", alice, score, overdue=3)
    http = login(alice)
    assert attention_rows(http, sort="name") == ["Alpha Stalled plc", "Zulu Red plc"]
