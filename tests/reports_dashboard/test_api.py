"""The dashboard API answers the same rows as the page, under the same rules."""

import pytest

from reports.models import SavedView

pytestmark = pytest.mark.django_db


def test_api_rows_follow_the_page_filters(carol, login, portfolio):
    data = login(carol).get("/api/dashboard/", {"band": "red", "mine": "0"}).json()
    assert [row["name"] for row in data["results"]] == ["Redwood Bank plc"]
    assert data["count"] == 1


def test_api_reports_ignored_values(carol, login, portfolio):
    data = login(carol).get("/api/dashboard/", {"sort": "nonsense", "mine": "0"}).json()
    assert data["notices"]


def test_saved_views_api_lists_only_my_views(carol, bob, login, db):
    SavedView.objects.create(user=bob, name="Bob's", query="band=red")
    http = login(carol)
    assert (
        http.post(
            "/api/saved-views/",
            {"name": "Reds", "query": "band=red"},
            content_type="application/json",
        ).status_code
        == 201
    )
    assert [v["name"] for v in http.get("/api/saved-views/").json()["results"]] == ["Reds"]


def test_overview_api_refuses_partners(bob, login, db):
    assert login(bob).get("/api/dashboard/overview/").status_code == 403
