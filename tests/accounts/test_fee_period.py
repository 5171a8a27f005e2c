"""Fees for a period: one rule (accounts.selectors.fee_period) read by the client page, the
dashboard overview and the PDF reports. The running financial year is shown to date and never
compared with a whole year."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.selectors import fee_period, fees_for_period
from tests.factories import FeeRecordFactory, ServiceLineFactory

pytestmark = pytest.mark.django_db


def test_the_period_is_the_last_complete_year_against_the_one_before(settings):
    settings.FINANCIAL_YEAR_START_MONTH = 5
    period = fee_period(datetime.date(2026, 9, 30))  # FY2027 began on 1 May 2026
    assert (period.year, period.previous, period.running) == (2026, 2025, 2027)


@pytest.fixture
def billed(normal_client, settings):
    settings.FINANCIAL_YEAR_START_MONTH = 5
    tax = ServiceLineFactory(name="Tax")
    for year, amount in [(2024, 90), (2025, 100), (2026, 120), (2027, 10)]:
        FeeRecordFactory(client=normal_client, service_line=tax, financial_year=year, amount=Decimal(amount * 1000))
    return normal_client


def test_a_clients_fees_compare_complete_years_and_keep_the_running_one_apart(billed):
    fees = fees_for_period([billed.pk], datetime.date(2026, 9, 30))[billed.pk]
    assert (fees.amount, fees.previous, fees.to_date) == (Decimal(120000), Decimal(100000), Decimal(10000))
    assert fees.change == pytest.approx(20.0)


def test_the_client_page_shows_the_running_year_to_date_without_a_change(billed, alice, login):
    fees = login(alice).get(reverse("client-detail", args=[billed.pk])).context["fees"]
    period = fee_period()
    assert fees.period == period
    if fees.running:  # the suite's own date decides whether FY2027 is still running
        assert fees.total_changes[fees.years.index(fees.running)] is None
    page = login(alice).get(reverse("client-detail", args=[billed.pk])).content.decode()
    assert f"Changes compare FY{period.year} with FY{period.previous}" in page


def test_the_overview_reads_the_same_period(billed, mike, login):
    overview = login(mike).get(reverse("overview")).context["overview"]
    period = fee_period()
    totals = fees_for_period([billed.pk])[billed.pk]
    assert overview.fee_year == period.year
    assert (overview.fees_last, overview.fees_prev) == (totals.amount, totals.previous)
