"""CSV and Excel exports of the dashboard's current view: the same rows and columns as the table."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from accounts.models import Client
from health.models import Band
from reports.dashboard.selectors import days_since

HEADERS = [
    "Client",
    "Sector",
    "Tier",
    "CRP",
    "Band",
    "Score",
    "90-day trend",
    "Coverage",
    "Fees last FY",
    "Fee change %",
    "Weighted pipeline",
    "Next review",
    "Overdue actions",
    "Coverage gaps",
    "Days since contact",
]
TEXT_COLUMNS = {0, 1, 2, 3, 4}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BAND_LABELS = dict(Band.choices)


def escape_formula(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe, so it stays text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def row_values(client: Client) -> list:
    return [
        client.name,
        client.sector,
        client.tier_name,
        client.crp_name or "",
        BAND_LABELS.get(client.band, "Not scored"),
        client.score,
        client.trend,
        client.coverage,
        client.fees_last_fy,
        round(client.fee_change, 1) if client.fee_change is not None else None,
        client.pipeline,
        client.next_review,
        client.overdue_actions,
        client.coverage_gaps,
        days_since(client.last_contact),
    ]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def to_csv(clients: Iterable[Client]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for client in clients:
        values = row_values(client)
        writer.writerow(
            [escape_formula(_cell_text(v)) if i in TEXT_COLUMNS else _cell_text(v) for i, v in enumerate(values)]
        )
    return buffer.getvalue()


def to_xlsx(clients: Iterable[Client], title: str = "Portfolio") -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(HEADERS)
    for client in clients:
        values = row_values(client)
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in values])
        for index in TEXT_COLUMNS:
            cell = sheet.cell(row=sheet.max_row, column=index + 1)
            # A string cell is never evaluated; without this openpyxl would store "=…" as a formula.
            cell.data_type = "s"
    for index, header in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 2)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
