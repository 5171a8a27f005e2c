"""The firm-wide figures many people share are computed ahead of them, and never across a wall."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.dashboard.overview import firm_overview
from reports.dashboard.tasks import refresh_shared_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def walled(confidential_client, normal_client, score, settings):
    settings.DASHBOARD_CHART_CACHE_SECONDS = 60
    score(confidential_client, 90, "green")
    score(normal_client, 50, "amber")
    return confidential_client


def test_refresh_computes_the_overview_before_anyone_opens_it(mike, carol, login, walled):
    assert refresh_shared_figures.delay().get() == ["open", "all"]
    http = login(mike)
    with CaptureQueriesContext(connection) as queries:
        response = http.get(reverse("overview"))
    assert response.context["overview"] == firm_overview(mike)
    cache.clear()
    with CaptureQueriesContext(connection) as computed:
        assert http.get(reverse("overview")).status_code == 200
    # Served from the refreshed figures: the page computing them itself costs more.
    assert len(queries) < len(computed)


def test_refreshed_figures_keep_each_side_of_the_wall_apart(mike, carol, login, walled):
    refresh_shared_figures.delay().get()
    assert login(mike).get(reverse("overview")).context["overview"].total == 2
    assert login(carol).get(reverse("overview")).context["overview"].total == 1
    insider = login(mike).get("/api/dashboard/charts/", {"mine": "0"}).json()
    outsider = login(carol).get("/api/dashboard/charts/", {"mine": "0"}).json()
    assert sum(b["count"] for b in insider["bands"]) == 2
    assert sum(b["count"] for b in outsider["bands"]) == 1


def test_refreshed_charts_serve_the_unfiltered_dashboard(carol, login, walled):
    refresh_shared_figures.delay().get()
    http = login(carol)
    with CaptureQueriesContext(connection) as warm:
        served = http.get(reverse("dashboard-charts"), {"mine": "0"}).context["bands"]
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        computed = http.get(reverse("dashboard-charts"), {"mine": "0"}).context["bands"]
    assert served == computed
    assert len(warm) < len(cold)


def test_nothing_is_refreshed_when_figures_are_not_cached(mike, walled, settings):
    settings.DASHBOARD_CHART_CACHE_SECONDS = 0
    assert refresh_shared_figures.delay().get() == []
