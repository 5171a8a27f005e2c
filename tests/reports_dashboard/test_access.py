"""The access rule on every dashboard page, partial, chart, export and API: walls never leak."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import Notification
from tests.factories import (
    AccountPlanFactory,
    ActionFactory,
    FeeRecordFactory,
    OpportunityFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "Project Nightjar Holdings"
PAGES = [
    ("dashboard", {"mine": "0"}),
    ("dashboard-charts", {"mine": "0"}),
    ("whitespace", {"mine": "0"}),
    ("dashboard-export-csv", {"mine": "0"}),
    ("partner-home", {}),
]


@pytest.fixture
def walled(confidential_client, normal_client, score):
    score(confidential_client, 10, "red", days_ago=100)
    score(confidential_client, 90, "green")
    score(normal_client, 50, "amber")
    FeeRecordFactory(client=confidential_client, amount=999_999_999)
    OpportunityFactory(client=confidential_client, estimated_fees=777_777_777, probability=100)
    return confidential_client


@pytest.mark.parametrize("who", ["bob", "carol"])
@pytest.mark.parametrize(("name", "query"), PAGES)
def test_outsiders_never_see_a_confidential_client(who, users, login, walled, name, query):
    body = login(users[who]).get(reverse(name), query).content.decode()
    assert SECRET not in body
    assert "999,999,999" not in body and "999999999" not in body


@pytest.mark.parametrize("who", ["bob", "carol"])
def test_chart_totals_leave_out_confidential_clients(who, users, login, walled):
    data = login(users[who]).get("/api/dashboard/charts/", {"mine": "0"}).json()
    assert sum(b["count"] for b in data["bands"]) == 1
    assert all(m["name"] != SECRET for m in data["movers_up"])
    assert all(total < 999_999_999 for total in data["fees_by_service_line"]["totals"])


def test_the_overview_leaves_out_confidential_clients_for_bd(carol, login, walled):
    response = login(carol).get(reverse("overview"))
    overview = response.context["overview"]
    assert overview.total == 1
    assert overview.fees_last < 999_999_999
    assert overview.pipeline_sourced < 777_777_777


def test_the_overview_counts_confidential_clients_for_managing_partners(mike, login, walled):
    assert login(mike).get(reverse("overview")).context["overview"].total == 2


def test_partners_cannot_open_the_firm_overview(bob, login, walled):
    assert login(bob).get(reverse("overview")).status_code == 403


@pytest.mark.parametrize("who", ["bob", "carol"])
def test_exports_leave_out_confidential_clients(who, users, login, walled):
    http = login(users[who])
    lines = list(csv.reader(io.StringIO(http.get(reverse("dashboard-export-csv"), {"mine": "0"}).content.decode())))
    assert [line[0] for line in lines[1:]] == ["Harbour Energy plc"]
    sheet = openpyxl.load_workbook(io.BytesIO(http.get(reverse("dashboard-export-xlsx"), {"mine": "0"}).content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Harbour Energy plc"]


@pytest.mark.parametrize("who", ["alice", "mike", "ada"])
def test_insiders_see_the_confidential_client(who, users, login, walled):
    body = login(users[who]).get(reverse("dashboard"), {"mine": "0"}).content.decode()
    assert SECRET in body


@pytest.mark.parametrize("who", ["bob", "carol"])
def test_the_api_never_lists_a_confidential_client(who, users, login, walled):
    http = login(users[who])
    for url in ["/api/dashboard/", "/api/dashboard/whitespace/", "/api/dashboard/charts/"]:
        assert "Nightjar" not in http.get(url).content.decode(), url
    assert http.get("/api/dashboard/", {"q": "Nightjar"}).json()["results"] == []


def test_searching_for_a_walled_name_finds_nothing_for_outsiders(bob, login, walled):
    response = login(bob).get(reverse("dashboard"), {"q": "Nightjar", "mine": "0"})
    assert response.context["table"].total == 0


def test_an_outsider_cannot_complete_an_action_on_a_walled_client(bob, login, walled):
    action = ActionFactory(plan=AccountPlanFactory(client=walled), owner=bob, due_date="2020-01-01")
    response = login(bob).post(reverse("dashboard-action-complete", args=[action.pk]), {"version": 1})
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == "open"


def test_home_hides_alerts_about_clients_behind_a_wall(bob, login, walled):
    Notification.objects.create(user=bob, title="Nightjar went red", client=walled)
    assert "Nightjar" not in login(bob).get(reverse("partner-home")).content.decode()


def test_home_lists_coverage_gaps_only_on_my_clients(alice, bob, login, walled, normal_client):
    StakeholderFactory(client=normal_client, name="Cora Ceo", seniority="c_suite")
    assert "Cora Ceo" in login(alice).get(reverse("partner-home")).content.decode()
    assert "Cora Ceo" not in login(bob).get(reverse("partner-home")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, walled):
    for name, query in PAGES:
        response = client.get(reverse(name), query)
        assert response.status_code == 302 and "login" in response.url


def test_cached_chart_figures_never_cross_the_wall(carol, mike, login, walled, settings):
    settings.DASHBOARD_CHART_CACHE_SECONDS = 60
    insider = login(mike).get("/api/dashboard/charts/", {"mine": "0"}).json()
    outsider = login(carol).get("/api/dashboard/charts/", {"mine": "0"}).json()
    assert sum(b["count"] for b in insider["bands"]) == 2
    assert sum(b["count"] for b in outsider["bands"]) == 1


def test_cached_overview_is_never_shared_across_the_wall(carol, mike, login, walled, settings):
    settings.DASHBOARD_CHART_CACHE_SECONDS = 60
    assert login(mike).get(reverse("overview")).context["overview"].total == 2
    assert login(carol).get(reverse("overview")).context["overview"].total == 1
