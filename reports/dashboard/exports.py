"""CSV and Excel exports of the dashboard's current view: the same rows and columns as the table,
plus why each client needs attention.

Each column says what kind of figure it holds, and both formats follow that: the CSV writes plain
numbers at a sensible precision (51000, 12.5, 35), the workbook writes numbers with currency,
percent and date formats, an autofilter, a frozen header and client column, and widths that fit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts.models import Client
from core.money import excel_money_format
from health.models import Band
from listening.selectors import rounded_nps
from reports.dashboard.selectors import attention_reasons, days_since

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BAND_LABELS = dict(Band.choices)
MIN_WIDTH, MAX_WIDTH = 8, 60


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Client], object]
    kind: str = "text"  # text | number | money | percent (a value in percentage points) | date
    places: int = 0  # decimals shown for numbers and percentages
    key: str = ""  # the dashboard column chooser's key; "" for the client's name and sector, always shown

    @property
    def excel_format(self) -> str:
        decimals = "." + "0" * self.places if self.places else ""
        return {
            "number": f"#,##0{decimals}",
            "money": excel_money_format(self.places),
            "percent": f"0{decimals}%",
            "date": "yyyy-mm-dd",
        }.get(self.kind, "General")


def _share_as_points(share: Decimal | None) -> Decimal | None:
    return None if share is None else share * 100


COLUMNS = [
    Column("Client", lambda c: c.name),
    Column("Sector", lambda c: c.sector),  # shown under the name in the table, so always exported
    Column("Tier", lambda c: c.tier_name, key="tier"),
    Column("CRP", lambda c: c.crp_name or "", key="crp"),
    Column("Band", lambda c: BAND_LABELS.get(c.band, "Not scored"), key="band"),
    Column("Score", lambda c: c.score, "number", 1, key="score"),
    Column("NPS (12 months)", lambda c: rounded_nps(c.nps), "number", key="nps"),
    Column("90-day trend", lambda c: c.trend, "number", 1, key="trend"),
    Column("Data coverage %", lambda c: _share_as_points(c.coverage), "percent", key="coverage"),
    Column("Fees last FY", lambda c: c.fees_last_fy, "money", key="fees"),
    Column("Fee change %", lambda c: c.fee_change, "percent", 1, key="fee_change"),
    Column("Weighted pipeline", lambda c: c.pipeline, "money", key="pipeline"),
    Column("Next review", lambda c: c.next_review, "date", key="next_review"),
    Column("Overdue actions", lambda c: c.overdue_actions, "number", key="overdue"),
    Column("Coverage gaps", lambda c: c.coverage_gaps, "number", key="gaps"),
    Column("Days since contact", lambda c: days_since(c.last_contact), "number", key="last_contact"),
    Column("Why it needs attention", lambda c: "; ".join(attention_reasons(c)), key="reasons"),
]
HEADERS = [column.header for column in COLUMNS]


def chosen(keys: Sequence[str] | None) -> list[Column]:
    """The columns the reader shows on the dashboard, in the export's order, after the client's name
    and sector (None: every column)."""
    if keys is None:
        return list(COLUMNS)
    return [column for column in COLUMNS if not column.key or column.key in keys]


def escape_formula(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe, so it stays text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def rounded(value, places: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def csv_text(column: Column, value) -> str:
    """A cell of the CSV: numbers at the column's precision without trailing zeros, text escaped."""
    if value is None:
        return ""
    if column.kind == "text":
        return escape_formula(str(value))
    if column.kind == "date":
        return value.isoformat()
    text = f"{rounded(value, column.places):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def excel_value(column: Column, value):
    if value is None or column.kind in ("text", "date"):
        return value
    number = float(rounded(value, column.places))
    return number / 100 if column.kind == "percent" else number


def to_csv(clients: Iterable[Client], keys: Sequence[str] | None = None) -> str:
    columns = chosen(keys)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in columns])
    for client in clients:
        writer.writerow([csv_text(column, column.value(client)) for column in columns])
    return buffer.getvalue()


def _shown_width(column: Column, value) -> int:
    if value is None:
        return 0
    if column.kind == "date":
        return 10
    if column.kind == "text":
        return len(str(value))
    return len(f"{rounded(value, column.places):,f}") + (2 if column.kind in ("money", "percent") else 0)


def to_xlsx(clients: Iterable[Client], keys: Sequence[str] | None = None, title: str = "Portfolio") -> bytes:
    columns = chosen(keys)
    headers = [column.header for column in columns]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(header) + 3 for header in headers]  # room for the autofilter button
    for client in clients:
        values = [column.value(client) for column in columns]
        sheet.append([excel_value(column, value) for column, value in zip(columns, values, strict=True)])
        row = sheet.max_row
        for index, (column, value) in enumerate(zip(columns, values, strict=True)):
            cell = sheet.cell(row=row, column=index + 1)
            if column.kind == "text":
                # A string cell is never evaluated; without this openpyxl would store "=…" as a formula.
                cell.data_type = "s"
            elif value is not None:
                cell.number_format = column.excel_format
            widths[index] = max(widths[index], _shown_width(column, value))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 1))
    sheet.freeze_panes = "B2"  # the header and the client's name stay in view
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{sheet.max_row}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
