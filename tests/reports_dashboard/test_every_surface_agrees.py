"""One firm, every surface: each shared figure reads the same as its one home."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.crp_signals import crp_signals
from accounts.models import Assignment, Tier
from health.models import Scorecard
from health.selectors import band_thresholds
from reports.pdf.build import build_report
from stakeholders.selectors import contact_target_per_year
from tests.factories import ClientFactory, UserFactory
from tests.reports_pdf.conftest import QUARTER, pack_record, pdf_pages, review_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm(db, settings):
    settings.CRP_OVERLOAD_WEIGHT = 3
    growth = Tier.objects.get_or_create(name="Growth", defaults={"rank": 1})[0]
    Tier.objects.filter(pk=growth.pk).update(workload_weight=Decimal("1.5"))
    develop = Tier.objects.get_or_create(name="Develop", defaults={"rank": 0})[0]
    partner = UserFactory(full_name="Wanda Workload")
    led = [ClientFactory(crp=partner, tier=growth) for _ in range(2)]
    led.append(ClientFactory(crp=partner, tier=develop))
    ClientFactory(crp=partner, tier=growth, status="lost")  # never counted
    Assignment.objects.filter(client=led[0], role="crp").update(start_date=datetime.date(2019, 1, 1))
    Scorecard.objects.filter(is_current=True).exists() or Scorecard.objects.create(version=1, is_current=True)
    Scorecard.objects.filter(is_current=True).update(green_threshold=75, amber_threshold=45)
    return partner, led


def home_of(reader, partner, on=None):
    return next(p for p in crp_signals(reader, on=on) if p.user_id == partner.pk)


def test_a_crps_figures_read_the_same_on_every_surface(firm, mike, login):
    partner, led = firm
    home = home_of(mike, partner)
    assert (home.led, home.growth_clients, home.workload) == (3, 2, Decimal("4.0"))
    http = login(mike)
    overview = next(f for f in http.get(reverse("overview")).context["overview"].crp_flags if f.user_id == partner.pk)
    api = next(f for f in http.get("/api/dashboard/overview/").json()["crp_flags"] if f["user"] == partner.pk)
    chart = next(
        w for w in http.get(reverse("dashboard-charts"), {"mine": "0"}).context["workload"] if w.user_id == partner.pk
    )
    chart_api = next(
        w for w in http.get("/api/dashboard/charts/", {"mine": "0"}).json()["crp_workload"] if w["user"] == partner.pk
    )
    portfolio = http.get(reverse("health-portfolio")).content.decode()
    for figures in [
        (overview.led, overview.growth_clients, overview.workload),
        (chart.led, chart.growth_clients, chart.workload),
        (api["clients"], api["growth_clients"], Decimal(str(api["workload"]))),
        (chart_api["clients"], chart_api["growth_clients"], Decimal(str(chart_api["workload"]))),
    ]:
        assert figures == (home.led, home.growth_clients, home.workload)
    row = portfolio.split("Wanda Workload</th>")[1].split("</tr>")[0]
    assert f'<td class="num">{home.led}</td>' in row and f"{home.workload:.1f}" in row
    assert [c.client_id for c in home.rotation_due] == [led[0].pk] == api["rotation_due"]
    assert f"{led[0].name}</a> ({home.rotation_due[0].tenure_label} y)" in portfolio


def test_the_pack_states_the_tenure_and_workload_of_its_one_home(firm, mike):
    partner, _ = firm
    home = home_of(mike, partner, on=QUARTER.end)
    text = " ".join(" ".join(pdf_pages(build_report(pack_record(mike)).pdf.content)).split())
    assert f"workload {home.workload:.1f}" in text
    assert f"rotation due ({home.rotation_due[0].tenure_years:.1f} years)" in text


def test_the_account_review_states_the_contact_target_of_its_one_home(firm, mike):
    _, led = firm
    text = " ".join(" ".join(pdf_pages(build_report(review_record(mike, led[0])).pdf.content)).split())
    assert f"target of {contact_target_per_year()} a year" in text


def test_the_contact_target_is_one_setting_on_the_client_page_and_in_the_pack(firm, mike, login, settings):
    _, led = firm
    settings.CONTACT_TARGET_PER_YEAR = 14
    page = login(mike).get(reverse("interaction-timeline", args=[led[0].pk])).content.decode()
    assert "target 14" in page


def test_the_sparkline_draws_the_scorecard_s_thresholds(firm):
    thresholds = band_thresholds()
    assert (thresholds.green, thresholds.amber) == (75.0, 45.0)
