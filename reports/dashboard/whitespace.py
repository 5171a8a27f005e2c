"""The whitespace map: clients by service lines, fees per cell, open opportunities marked."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from accounts.models import FeeRecord, ServiceLine, User
from accounts.selectors import last_complete_financial_year
from planning.models import OPEN_STAGES, Opportunity
from reports.dashboard import selectors
from reports.dashboard.params import DashboardParams

SHADES = 4


@dataclass
class ClientRef:
    pk: int
    name: str


@dataclass
class Cell:
    fees: Decimal
    shade: int
    opportunities: int


@dataclass
class Penetration:
    line: ServiceLine
    clients: int
    share: float
    fees: Decimal


@dataclass
class WhitespaceMap:
    lines: list[ServiceLine]
    rows: list[tuple] = field(default_factory=list)  # (client, [Cell per line])
    penetration: list[Penetration] = field(default_factory=list)
    total: int = 0
    number: int = 1
    num_pages: int = 1
    year: int = 0


def _shade(amount: Decimal, largest: Decimal) -> int:
    if not amount or not largest:
        return 0
    return max(1, min(SHADES, math.ceil(float(amount / largest) * SHADES)))


def whitespace_map(user: User, params: DashboardParams) -> WhitespaceMap:
    year = last_complete_financial_year()
    lines = list(ServiceLine.objects.filter(active=True).order_by("name"))
    filtered = selectors.apply_filters(selectors.portfolio_base(user), params, user)
    total = filtered.count()
    num_pages = max(1, math.ceil(total / params.page_size))
    number = num_pages if params.page == "last" else int(params.page)
    if number > num_pages:
        params.notices.append(f"Page {number} is past the end; showing the last page, {num_pages}.")
        number = num_pages
    params.page = number
    offset = (number - 1) * params.page_size
    # Only the client's id and name: the figures a page shows come from the two queries below.
    clients = [
        ClientRef(pk, name)
        for pk, name in selectors.apply_sort(filtered, params).values_list("pk", "name")[
            offset : offset + params.page_size
        ]
    ]
    ids = [c.pk for c in clients]
    fees = {
        (c, sl): amount
        for c, sl, amount in FeeRecord.objects.filter(client_id__in=ids, financial_year=year)
        .values("client_id", "service_line_id")
        .annotate(total=Sum("amount"))
        .values_list("client_id", "service_line_id", "total")
    }
    opportunities = {
        (c, sl): n
        for c, sl, n in Opportunity.objects.filter(client_id__in=ids, stage__in=OPEN_STAGES)
        .values("client_id", "service_line_id")
        .annotate(n=Count("pk"))
        .values_list("client_id", "service_line_id", "n")
    }
    largest = max(fees.values(), default=Decimal(0))
    result = WhitespaceMap(lines=lines, total=total, number=number, num_pages=num_pages, year=year)
    for client in clients:
        cells = [
            Cell(
                fees.get((client.pk, line.pk), Decimal(0)),
                _shade(fees.get((client.pk, line.pk), Decimal(0)), largest),
                opportunities.get((client.pk, line.pk), 0),
            )
            for line in lines
        ]
        result.rows.append((client, cells))
    spread = {
        sl: (n, amount)
        for sl, n, amount in FeeRecord.objects.filter(
            client_id__in=filtered.values("pk"), financial_year=year, amount__gt=0
        )
        .values("service_line_id")
        .annotate(n=Count("client_id", distinct=True), total=Sum("amount"))
        .values_list("service_line_id", "n", "total")
    }
    for line in lines:
        clients_with, amount = spread.get(line.pk, (0, Decimal(0)))
        result.penetration.append(Penetration(line, clients_with, clients_with / total * 100 if total else 0.0, amount))
    return result
