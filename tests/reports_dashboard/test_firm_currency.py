"""One firm currency (settings.FIRM_CURRENCY) is shown wherever money is: pages, the spreadsheet
export's number formats and the PDFs' sentences all follow the one setting."""

import io
import os
import subprocess
import sys
from decimal import Decimal

import openpyxl
import pytest
from django.test import override_settings
from django.urls import reverse

from core.money import excel_money_format, format_money
from reports.pdf.text import money as pdf_money
from tests.factories import FeeRecordFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fees(portfolio):
    for year in range(2018, 2031):
        FeeRecordFactory(client=portfolio["red"], financial_year=year, amount=Decimal("51000.00"))
    OpportunityFactory(client=portfolio["red"], estimated_fees=Decimal("80000"), probability=50)
    return portfolio


def test_amounts_are_written_one_way(settings):
    settings.FIRM_CURRENCY = "GBP"
    assert format_money(Decimal("51000.00")) == "£51,000"
    assert format_money(-1200.4) == "-£1,200"
    assert format_money(None) == "—"
    assert format_money(Decimal("12.345"), places=2) == "£12.35"


def test_the_dashboard_and_the_client_page_show_the_firm_currency(carol, login, fees):
    http = login(carol)
    dashboard = http.get(reverse("dashboard"), {"mine": "0", "cols": "fees,pipeline"}).content.decode()
    assert "£51,000" in dashboard and "£40,000" in dashboard  # fees last FY and the weighted pipeline
    with override_settings(FIRM_CURRENCY="EUR"):
        dashboard = http.get(reverse("dashboard"), {"mine": "0", "cols": "fees,pipeline"}).content.decode()
        client_page = http.get(fees["red"].get_absolute_url()).content.decode()
    assert "€51,000" in dashboard and "£51,000" not in dashboard
    assert "€51,000" in client_page and "£" not in client_page


def test_the_workbook_money_format_and_the_pdf_sentences_follow_the_setting(carol, login, fees):
    with override_settings(FIRM_CURRENCY="EUR"):
        response = login(carol).get(reverse("dashboard-export-xlsx"), {"mine": "0", "sort": "name"})
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        headers = [cell.value for cell in sheet[1]]
        red_row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "Redwood Bank plc")
        fees_cell = red_row[headers.index("Fees last FY")]
        assert fees_cell.value == 51000 and fees_cell.number_format == excel_money_format() == '"€"#,##0;-"€"#,##0'
        assert pdf_money(Decimal("230000")) == "€230,000"


def test_an_unknown_currency_code_stops_the_start_with_a_clear_message():
    env = {**os.environ, "FIRM_CURRENCY": "XYZ", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "FIRM_CURRENCY must be an ISO 4217 currency code" in result.stderr
