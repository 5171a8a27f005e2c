"""A fresh demo's reports list already holds last quarter's packs, as the scheduled job would have made."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from reports.models import Report, ReportKind
from reports.pdf.periods import last_complete_quarter

pytestmark = pytest.mark.django_db


def test_the_demo_holds_last_quarters_firm_pack_for_the_managing_partner(client):
    call_command("seed_demo", "--clients", "10", "--quiet")
    quarter = last_complete_quarter(timezone.localdate())
    packs = Report.objects.filter(kind=ReportKind.QUARTERLY_PACK, period_end=quarter.end, scope={"type": "firm"})
    assert packs.filter(requested_by__email="mp@keyline.example").exists()
    client.login(username="mp@keyline.example", password="keyline-demo-2026")
    listed = client.get(reverse("report-list")).context["page"]
    assert any(report.quarter_code == quarter.code for report in listed)
    call_command("seed_demo", "--clients", "10", "--quiet")
    assert packs.filter(requested_by__email="mp@keyline.example").count() == 1


def test_the_overview_offers_the_pack_request_filled_for_last_quarter(client, mike):
    quarter = last_complete_quarter(timezone.localdate())
    client.force_login(mike)
    page = client.get(reverse("overview")).content.decode()
    assert f"scope=firm&amp;quarter={quarter.code}" in page


def test_no_packs_builds_the_demo_without_rendering_any_pack_and_a_later_run_adds_them():
    call_command("seed_demo", "--clients", "10", "--quiet", "--no-packs")
    assert User.objects.filter(email="partner@keyline.example").exists()
    assert not Report.objects.filter(kind=ReportKind.QUARTERLY_PACK).exists()
    call_command("seed_demo", "--clients", "10", "--quiet")
    assert Report.objects.filter(kind=ReportKind.QUARTERLY_PACK, requested_by__email="mp@keyline.example").exists()
