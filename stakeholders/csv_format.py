"""The CSV shapes of stakeholders and interactions, shared by export and import so files round-trip."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from stakeholders.models import Interaction, Stakeholder

STAKEHOLDER_COLUMNS = [
    "external_id",
    "client",
    "name",
    "job_title",
    "department",
    "seniority",
    "reports_to",
    "buying_role",
    "attitude",
    "influence",
    "email",
    "phone",
    "status",
    "notes",
]
STAKEHOLDER_REQUIRED = {"client", "name"}
INTERACTION_COLUMNS = [
    "external_id",
    "client",
    "date",
    "type",
    "sentiment",
    "summary",
    "follow_up",
    "firm_attendees",
    "stakeholders",
]
INTERACTION_REQUIRED = {"client", "date", "summary", "firm_attendees"}
LIST_SEPARATOR = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")
EXPORT_CHUNK = 2000


def escape_cell(value: object) -> str:
    """Prefix text a spreadsheet would run as a formula with an apostrophe; plain numbers stay as they are."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list[object]]) -> Iterator[str]:
    """CSV text line by line, for a streamed download. Starts with a BOM so spreadsheets read UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([escape_cell(cell) for cell in row])


def stakeholder_rows(qs: QuerySet[Stakeholder]) -> Iterator[list[object]]:
    for s in qs.select_related("client", "reports_to").order_by("client__name", "pk").iterator(EXPORT_CHUNK):
        manager = s.reports_to
        yield [
            s.external_id,
            s.client.name,
            s.name,
            s.job_title,
            s.department,
            s.seniority,
            (manager.external_id or manager.name) if manager else "",
            s.buying_role,
            s.attitude,
            s.influence,
            s.email,
            s.phone,
            s.status,
            s.notes,
        ]


def interaction_rows(qs: QuerySet[Interaction]) -> Iterator[list[object]]:
    qs = (
        qs.select_related("client")
        .order_by("client__name", "date", "pk")
        .prefetch_related(
            Prefetch("firm_attendees", queryset=User.objects.only("id", "email").order_by("email")),
            Prefetch("stakeholders", queryset=Stakeholder.objects.only("id", "name", "external_id").order_by("name")),
        )
    )
    for i in qs.iterator(EXPORT_CHUNK):
        yield [
            i.external_ref,
            i.client.name,
            i.date.isoformat(),
            i.kind,
            i.sentiment,
            i.summary,
            i.follow_up,
            LIST_SEPARATOR.join(u.email for u in i.firm_attendees.all()),
            LIST_SEPARATOR.join(s.external_id or s.name for s in i.stakeholders.all()),
        ]
