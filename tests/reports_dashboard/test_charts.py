"""Chart figures agree with the scores in the database and follow the dashboard's filters."""

import datetime

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def charts(http, **query):
    response = http.get(reverse("dashboard-charts"), {"mine": "0", **query})
    assert response.status_code == 200
    return response.context


def month_label(days_ago: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days_ago)).strftime("%b %Y")


def test_movers_rank_risers_and_fallers_by_their_trend(carol, login, portfolio):
    figures = charts(login(carol))
    assert [(m.name, float(m.trend), float(m.score)) for m in figures["up"]] == [("Amberley Foods Ltd", 15.0, 55.0)]
    assert [(m.name, float(m.trend)) for m in figures["down"]] == [
        ("Greenfield Energy plc", -10.0),
        ("Redwood Bank plc", -5.0),
    ]


def test_monthly_average_reads_each_months_scores_of_the_filtered_clients(carol, login, portfolio):
    months = dict(charts(login(carol), band="red")["months"])
    assert months[month_label(0)] == pytest.approx(25.0)
    assert months[month_label(100)] == pytest.approx(30.0)
    everyone = dict(charts(login(carol))["months"])
    assert everyone[month_label(0)] == pytest.approx((25 + 55 + 80) / 3)


def test_movers_leave_out_clients_without_a_trend(carol, login, portfolio, score):
    from tests.factories import ClientFactory

    score(ClientFactory(name="Newcomer Ltd"), 70, "green")  # scored today only: no trend yet
    names = [m.name for m in charts(login(carol))["up"] + charts(login(carol))["down"]]
    assert "Newcomer Ltd" not in names
    assert len(names) == 3


def test_crp_workload_counts_each_crps_clients_weighted_by_tier(carol, login, portfolio):
    from accounts.models import Client

    load = {w.name: (w.led, w.workload) for w in charts(login(carol))["workload"]}
    expected = {
        client.crp_name: (1, client.tier.workload_weight)
        for client in Client.objects.filter(pk__in=[c.pk for c in portfolio.values()])
        .annotate(crp_name=F("assignments__user__full_name"))
        .select_related("tier")
    }
    assert load == expected


def test_band_chart_counts_the_filtered_clients(carol, login, portfolio):
    bands = {b.band: b.count for b in charts(login(carol), tier="")["bands"]}
    assert (bands["red"], bands["amber"], bands["green"]) == (1, 1, 1)
    only_red = {b.band: b.count for b in charts(login(carol), band="red")["bands"]}
    assert (only_red["red"], only_red["amber"], only_red["green"]) == (1, 0, 0)
