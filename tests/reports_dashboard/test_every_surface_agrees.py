"""One firm, every surface: each shared figure reads the same as its one home."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts.crp_signals import crp_signals
from accounts.models import Assignment, Client, Tier
from accounts.selectors import fee_period, fee_totals_for_period, fees_for_period
from health.models import HealthScore, Measure, Scorecard
from health.selectors import band_thresholds
from health.services.recompute import current_scorecard, scores_recompute
from planning.models import OPEN_STAGES, AccountPlan, Opportunity, weighted_fees
from reports.dashboard.params import COLUMN_LABELS
from reports.pdf.build import build_report
from reports.pdf.text import money
from stakeholders.selectors import contact_target_per_year
from tests.factories import ClientFactory, FeeRecordFactory, InteractionFactory, OpportunityFactory, UserFactory
from tests.history import recorded_at
from tests.reports_pdf.conftest import QUARTER, RECORDED, give_data, pack_record, pdf_pages, review_record

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


# --- Contact target, pipeline and fees -----------------------------------------------------------


def pdf_text(report) -> str:
    return " ".join(" ".join(pdf_pages(build_report(report).pdf.content)).split())


def test_the_contact_target_setting_moves_the_client_page_the_pack_and_the_score(firm, mike, login, settings):
    _, led = firm
    client = led[0]
    today = timezone.localdate()
    Measure.objects.get_or_create(
        scorecard=Scorecard.objects.get(is_current=True),
        key="contact_frequency",
        defaults={"name": "Contact frequency", "source": "computed", "floor": 0, "target": 10, "weight": 15},
    )
    InteractionFactory.create_batch(7, client=client, date=today - datetime.timedelta(days=3))
    for target in (10, 14):
        settings.CONTACT_TARGET_PER_YEAR = target
        page = login(mike).get(reverse("interaction-timeline", args=[client.pk])).content.decode()
        assert f"target {target}" in page
        assert f"target of {target} a year" in pdf_text(review_record(mike, client))
        scores_recompute(as_of=today, client_ids=[client.pk])
        stored = HealthScore.objects.get(client=client, as_of=today).components
        contact = next(c for c in stored if c["key"] == "contact_frequency")
        assert (contact["raw"], contact["target"]) == (7.0, float(target))
        assert contact["normalised"] == pytest.approx(7 / target * 100)


@pytest.fixture
def billed(firm, mike):
    """Fees over three years and a pipeline (open sourced and influenced, won, lost), recorded
    before the pack's quarter began, on two of the partner's clients."""
    partner, led = firm
    give_data(led[0], scorecard=current_scorecard(), owner=partner)
    with recorded_at(RECORDED):
        OpportunityFactory(client=led[1], estimated_fees=Decimal("80000"), probability=25, origin="influenced")
        OpportunityFactory(client=led[1], estimated_fees=Decimal("90000"), probability=100, stage="won")
        OpportunityFactory(client=led[1], estimated_fees=Decimal("70000"), probability=0, stage="lost")
        FeeRecordFactory(client=led[1], financial_year=fee_period().year, amount=Decimal("55555"))
        FeeRecordFactory(client=led[0], financial_year=fee_period().year, amount=Decimal("12345"))
    Opportunity.objects.update(created_at=RECORDED)
    return led


def weighted_home(clients) -> Decimal:
    """The one home of a weighted pipeline: weighted_fees() summed over open opportunities."""
    found = Opportunity.objects.filter(client__in=clients, stage__in=OPEN_STAGES).aggregate(
        total=Sum(weighted_fees(), default=Decimal(0))
    )
    return found["total"]


EVERY_COLUMN = ",".join(COLUMN_LABELS)


def exported(http, client_name: str) -> dict:
    """The dashboard export's row of `client_name`, from the CSV and from the XLSX."""
    text = http.get(reverse("dashboard-export-csv"), {"mine": "0", "cols": EVERY_COLUMN}).content.decode("utf-8-sig")
    csv_row = next(row for row in csv.DictReader(io.StringIO(text)) if row["Client"] == client_name)
    sheet = openpyxl.load_workbook(
        io.BytesIO(http.get(reverse("dashboard-export-xlsx"), {"mine": "0", "cols": EVERY_COLUMN}).content)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    xlsx_row = dict(zip(rows[0], next(row for row in rows[1:] if row[0] == client_name), strict=True))
    return {"csv": csv_row, "xlsx": xlsx_row}


def test_a_clients_weighted_pipeline_and_fees_read_the_same_on_every_surface(billed, mike, login):
    client = billed[0]
    pipeline = weighted_home([client])
    fees = fees_for_period([client.pk])[client.pk].amount
    assert pipeline == Decimal("120000") and fees > 0  # 200,000 at 50% + 100,000 at 20%
    http = login(mike)

    detail = http.get(reverse("client-detail", args=[client.pk])).context
    panel = next(p for p in detail["panels"] if p["template"] == "planning/client_panel.html")
    fee_table = detail["fees"]
    plan = AccountPlan.objects.get(client=client)
    plan_page = http.get(reverse("plan-detail", args=[plan.pk])).context["page"]
    listed = next(c for c in http.get(reverse("client-list")).context["page"] if c.pk == client.pk)
    rows = http.get(reverse("dashboard"), {"mine": "0"}).context["table"].rows
    table = next(r.client for r in rows if r.client.pk == client.pk)
    api_row = next(r for r in http.get("/api/dashboard/", {"mine": "0"}).json()["results"] if r["id"] == client.pk)
    by_client = http.get("/api/opportunities/pipeline/").json()["clients"]
    api_pipeline = next(c for c in by_client if c["client"] == client.pk)
    export = exported(http, client.name)

    assert panel["weighted_pipeline"] == pipeline
    assert plan_page.pipeline.weighted == pipeline
    assert table.pipeline == pipeline
    assert Decimal(api_row["pipeline"]) == pipeline
    assert Decimal(api_pipeline["weighted_pipeline"]) == pipeline
    assert Decimal(str(export["csv"]["Weighted pipeline"])) == pipeline
    assert Decimal(str(export["xlsx"]["Weighted pipeline"])) == pipeline

    assert fee_table.totals[fee_table.years.index(fee_table.period.year)] == fees
    assert listed.fees_last_fy == fees
    assert table.fees_last_fy == fees
    assert Decimal(api_row["fees_last_fy"]) == fees
    assert Decimal(str(export["csv"]["Fees last FY"])) == fees
    assert Decimal(str(export["xlsx"]["Fees last FY"])) == fees

    # The account review speaks of the quarter's end: the same homes, read as of that day.
    text = pdf_text(review_record(mike, client))
    period = fee_period(QUARTER.end)
    at_quarter_end = fees_for_period([client.pk], QUARTER.end)[client.pk].amount
    assert f"or {money(pipeline)} weighted" in text
    assert f"Fees were {money(at_quarter_end)} in FY{period.year}" in text


def test_the_firms_weighted_pipeline_and_fees_read_the_same_on_every_surface(billed, mike, login):
    active = Client.objects.visible_to(mike).filter(status="active")
    pipeline = weighted_home(active)
    fees = fee_totals_for_period(active).amount
    assert pipeline == Decimal("140000") and fees > 0  # 120,000 + 80,000 at 25%; won and lost left out
    http = login(mike)

    overview = http.get(reverse("overview")).context["overview"]
    api = http.get("/api/dashboard/overview/").json()
    api_pipeline = http.get("/api/opportunities/pipeline/").json()
    assert overview.pipeline_sourced + overview.pipeline_influenced == pipeline
    assert Decimal(api["pipeline_sourced"]) + Decimal(api["pipeline_influenced"]) == pipeline
    assert Decimal(api_pipeline["weighted_pipeline"]) == pipeline
    assert overview.fees_last == fees
    assert Decimal(api["fees_last_fy"]) == fees

    text = pdf_text(pack_record(mike))
    period = fee_period(QUARTER.end)
    assert f"The weighted pipeline stands at {money(pipeline)}." in text
    assert f"These clients billed {money(fee_totals_for_period(active, QUARTER.end).amount)} in FY{period.year}" in text
