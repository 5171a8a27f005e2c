"""Dates stay within a sensible range, and numbers and dates typed in full-width digits are read the
same way by the pages and the API."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import FeeRecord
from health.models import Measurement
from planning.models import Action
from stakeholders.models import Interaction
from tests.factories import AccountPlanFactory, ServiceLineFactory
from tests.health.conftest import scorecard  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

ABSURD_DATES = ["0001-01-01", "1899-12-31", "2100-01-01", "9999-12-31"]


def log_on_page(http, client, user, day: str):
    return http.post(
        reverse("interaction-log", args=[client.pk]),
        {
            "log-date": day,
            "log-kind": "meeting",
            "log-firm_attendees": [user.pk],
            "log-summary": "Lunch",
        },
        HTTP_HX_REQUEST="true",
    )


def log_in_api(http, client, user, day: str):
    return http.post(
        "/api/interactions/",
        {"client": client.pk, "date": day, "kind": "meeting", "summary": "Lunch", "firm_attendees": [user.pk]},
        content_type="application/json",
    )


@pytest.mark.parametrize("day", ABSURD_DATES[:2])
def test_an_absurd_interaction_date_is_refused_on_the_page(alice, login, normal_client, day):
    response = log_on_page(login(alice), normal_client, alice, day)
    assert "between 1 January 1900 and 31 December 2099" in response.content.decode()
    assert not Interaction.objects.exists()


@pytest.mark.parametrize("day", ABSURD_DATES[:2])
def test_an_absurd_interaction_date_is_refused_by_the_api(alice, login, normal_client, day):
    response = log_in_api(login(alice), normal_client, alice, day)
    assert response.status_code == 400
    assert "between 1 January 1900 and 31 December 2099" in str(response.json()["date"])
    assert not Interaction.objects.exists()


@pytest.mark.parametrize("day", ABSURD_DATES)
def test_an_absurd_action_due_date_is_refused_by_the_api(alice, login, normal_client, day):
    plan = AccountPlanFactory(client=normal_client, year=2026, status="active")
    response = login(alice).post(
        "/api/actions/",
        {"plan": plan.pk, "description": "Call the GC", "owner": alice.pk, "due_date": day},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "between 1 January 1900 and 31 December 2099" in str(response.json()["due_date"])
    assert not Action.objects.exists()


def test_an_absurd_measurement_date_is_refused(scorecard, alice, login, normal_client):  # noqa: F811
    response = login(alice).post(
        "/api/health/measurements/",
        {
            "client": normal_client.pk,
            "measure_key": "client_nps",
            "value": "8",
            "measured_on": "0001-01-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "between 1 January 1900" in str(response.json()["measured_on"])
    assert not Measurement.objects.exists()


def test_a_full_width_date_is_read_alike_by_the_page_and_the_api(alice, login, normal_client):
    http = login(alice)
    log_on_page(http, normal_client, alice, "２０２６-０１-０５")
    response = log_in_api(http, normal_client, alice, "２０２６-０１-０５")
    assert response.status_code == 201
    assert list(Interaction.objects.values_list("date", flat=True)) == [datetime.date(2026, 1, 5)] * 2


def test_full_width_digits_in_a_number_are_read_alike_by_the_page_and_the_api(alice, login, normal_client):
    line_a, line_b = ServiceLineFactory(), ServiceLineFactory()
    http = login(alice)
    http.post(
        reverse("fee-set", args=[normal_client.pk]),
        {"financial_year": "２０２５", "service_line": line_a.pk, "amount": "１２３４５"},
    )
    response = http.post(
        "/api/fees/",
        {"client": normal_client.pk, "financial_year": "２０２５", "service_line": line_b.pk, "amount": "１２３４５"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert sorted(FeeRecord.objects.values_list("financial_year", "amount")) == [(2025, 12345)] * 2
