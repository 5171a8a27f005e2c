"""The dashboard's CSV and Excel exports: numbers as numbers, formats, and the reason for attention."""

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from reports.dashboard.params import COLUMN_LABELS
from tests.factories import FeeRecordFactory

pytestmark = pytest.mark.django_db

EVERY_COLUMN = ",".join(COLUMN_LABELS)
NUMERIC = ["Score", "90-day trend", "Data coverage %", "Fees last FY", "Fee change %", "Weighted pipeline"]


@pytest.fixture
def fees(portfolio):
    for year in range(2018, 2031):
        FeeRecordFactory(client=portfolio["red"], financial_year=year, amount=Decimal("51000.00"))
    return portfolio


def csv_rows(http) -> list[dict[str, str]]:
    response = http.get(reverse("dashboard-export-csv"), {"mine": "0", "sort": "name", "cols": EVERY_COLUMN})
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def workbook_sheet(http):
    response = http.get(reverse("dashboard-export-xlsx"), {"mine": "0", "sort": "name", "cols": EVERY_COLUMN})
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_csv_numbers_carry_no_padding_zeros(carol, login, fees):
    rows = csv_rows(login(carol))
    red = next(row for row in rows if row["Client"] == "Redwood Bank plc")
    assert red["Fees last FY"] == "51000"
    assert red["Score"] == "25"
    assert red["Data coverage %"] in {"0", "100"} or re.fullmatch(r"\d{1,2}(\.\d)?", red["Data coverage %"])
    for row in rows:
        for header in NUMERIC:
            assert not re.search(r"\.\d*0$", row[header]), (header, row[header])
            assert row[header] == "" or re.fullmatch(r"-?\d+(\.\d+)?", row[header]), (header, row[header])


def test_both_exports_say_why_a_client_needs_attention(carol, login, fees):
    http = login(carol)
    red = next(row for row in csv_rows(http) if row["Client"] == "Redwood Bank plc")
    assert "Red" in red["Why it needs attention"].split("; ")
    sheet = workbook_sheet(http)
    headers = [cell.value for cell in sheet[1]]
    reasons = {
        row[0]: row[headers.index("Why it needs attention")] for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert "Red" in reasons["Redwood Bank plc"].split("; ")


def test_the_workbook_formats_money_and_percentages_and_fits_its_columns(carol, login, fees):
    sheet = workbook_sheet(login(carol))
    headers = [cell.value for cell in sheet[1]]
    red_row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "Redwood Bank plc")
    fees_cell = red_row[headers.index("Fees last FY")]
    assert fees_cell.value == 51000 and "£" in fees_cell.number_format
    coverage_cell = red_row[headers.index("Data coverage %")]
    assert coverage_cell.number_format.endswith("%") and 0 <= coverage_cell.value <= 1
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}{sheet.max_row}"
    assert sheet.freeze_panes == "B2"
    assert sheet.column_dimensions["A"].width >= len("Greenfield Energy plc")
    assert all(cell.font.bold for cell in sheet[1])


def test_both_exports_hold_the_columns_the_reader_chose_on_the_dashboard(carol, login, fees):
    http = login(carol)
    http.post(reverse("dashboard-columns"), {"cols": ["score", "fees", "reasons"], "query": "mine=0"})
    for fmt in ("csv", "xlsx"):
        response = http.get(reverse(f"dashboard-export-{fmt}"), {"mine": "0", "sort": "name"})
        if fmt == "csv":
            headers = next(csv.reader(io.StringIO(response.content.decode())))
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
            headers = [cell.value for cell in sheet[1]]
            assert sheet.auto_filter.ref.startswith("A1:E")
        assert headers == ["Client", "Sector", "Score", "Fees last FY", "Why it needs attention"], fmt
    # A shared or saved view's own columns (in its address) win, as on the page.
    response = http.get(reverse("dashboard-export-csv"), {"mine": "0", "cols": "band,crp"})
    assert next(csv.reader(io.StringIO(response.content.decode()))) == ["Client", "Sector", "CRP", "Band"]
