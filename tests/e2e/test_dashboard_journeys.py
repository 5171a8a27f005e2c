"""Real-browser journeys through the dashboards (headless Chromium)."""

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import PracticeGroup, Role, Tier
from health.models import Scorecard
from planning.models import Action
from tests.factories import (
    PASSWORD,
    AccountPlanFactory,
    ActionFactory,
    ClientFactory,
    HealthScoreFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def new_client(**fields):
    # The "active client has a CRP" check is deferred to commit: create both in one transaction.
    with transaction.atomic():
        return ClientFactory(**fields)


def scored(client, then, now, band_then, band_now, scorecard):
    today = timezone.localdate()
    HealthScoreFactory(
        client=client,
        score=then,
        band=band_then,
        scorecard=scorecard,
        as_of=today - datetime.timedelta(days=100),
    )
    HealthScoreFactory(client=client, score=now, band=band_now, scorecard=scorecard, as_of=today)


def test_bd_filters_red_growth_clients_of_a_group_sorts_by_trend_and_exports_xlsx(page, live_server):
    bd = UserFactory(role=Role.BD, email="bd@firm.example")
    disputes = PracticeGroup.objects.create(name="Disputes team")
    growth, _ = Tier.objects.get_or_create(name="Growth", defaults={"rank": 1})
    maintain, _ = Tier.objects.get_or_create(name="Maintain", defaults={"rank": 3})
    litigator = UserFactory(full_name="Lena Litigator", practice_group=disputes)
    other = UserFactory(full_name="Otto Other")
    scorecard = Scorecard.objects.filter(is_current=True).first() or Scorecard.objects.create(
        version=1, is_current=True
    )
    falling = new_client(name="Falling Rock plc", tier=growth, crp=litigator)
    slipping = new_client(name="Slipping Sands plc", tier=growth, crp=litigator)
    scored(falling, 60, 20, "amber", "red", scorecard)
    scored(slipping, 35, 30, "red", "red", scorecard)
    scored(
        new_client(name="Green Growth plc", tier=growth, crp=litigator),
        70,
        80,
        "green",
        "green",
        scorecard,
    )
    scored(
        new_client(name="Red Maintain plc", tier=maintain, crp=litigator),
        30,
        20,
        "red",
        "red",
        scorecard,
    )
    scored(
        new_client(name="Other Group Red plc", tier=growth, crp=other),
        30,
        20,
        "red",
        "red",
        scorecard,
    )

    log_in(page, live_server, bd)
    page.goto(f"{live_server.url}/dashboard/")
    page.select_option("[data-testid=filter-band]", "red")
    page.wait_for_url("**band=red**")
    page.select_option("[data-testid=filter-tier]", str(growth.pk))
    page.wait_for_url(f"**tier={growth.pk}**")
    page.select_option("[data-testid=filter-pg]", str(disputes.pk))
    page.wait_for_url(f"**pg={disputes.pk}**")
    page.click("th >> [data-sort=trend]")
    page.wait_for_url("**sort=trend**")
    names = page.locator("[data-testid=client-row] td:first-child a").all_inner_texts()
    assert names == ["Falling Rock plc", "Slipping Sands plc"]

    with page.expect_download() as download_info:
        page.click("[data-testid=export-xlsx]")
    workbook = io.BytesIO(Path(download_info.value.path()).read_bytes())
    sheet = openpyxl.load_workbook(workbook).active
    headers = [cell.value for cell in sheet[1]]
    rows = [dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [row["Client"] for row in rows] == ["Falling Rock plc", "Slipping Sands plc"]
    assert {row["Band"] for row in rows} == {"Red"}
    assert "Tier" not in headers  # the export holds the table's columns, and Tier is not one by default


def test_partner_lands_on_home_and_completes_an_overdue_action(page, live_server):
    partner = UserFactory(email="pat@firm.example", full_name="Pat Partner")
    client = new_client(name="Harbour Energy plc", crp=partner)
    action = ActionFactory(
        plan=AccountPlanFactory(client=client),
        owner=partner,
        description="Call the CFO",
        due_date=timezone.localdate() - datetime.timedelta(days=5),
    )

    log_in(page, live_server, partner)
    page.goto(f"{live_server.url}/home/")
    row = page.locator(f"#action-{action.pk}")
    assert "Call the CFO" in row.inner_text()
    row.get_by_role("button", name="Mark done").click()
    page.locator(f"#action-{action.pk} .done-badge").wait_for()
    action.refresh_from_db()
    assert action.status == "done"
    assert Action.objects.get(pk=action.pk).completed_on == timezone.localdate()
