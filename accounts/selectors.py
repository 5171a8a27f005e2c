"""Reads for clients, fees and teams, shaped for the pages and the API."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.access import visible_clients
from accounts.models import (
    Assignment,
    Client,
    FeeRecord,
    ServiceLine,
    User,
    current_financial_year,
)

CLIENT_SORTS = {
    "name": "name",
    "tier": "tier__rank",
    "sector": "sector",
    "country": "country",
    "status": "status",
    "crp": "crp_name",
    "fees": "fees_last_fy",
}


def last_complete_financial_year() -> int:
    return current_financial_year() - 1


def client_list(
    *, user: User, search: str = "", tier: str = "", sector: str = "", crp: str = "", status: str = "",
    mine: bool = False, sort: str = "name",
) -> QuerySet[Client]:
    """Visible clients, filtered and sorted, with CRP name and last complete year's fees."""
    fees = (FeeRecord.objects.filter(client=OuterRef("pk"), financial_year=last_complete_financial_year())
            .values("client").annotate(total=Sum("amount")).values("total"))
    qs = (visible_clients(user).select_related("tier").with_current_crp()
          .annotate(fees_last_fy=Coalesce(Subquery(fees), Value(Decimal(0)),
                                          output_field=DecimalField(max_digits=16, decimal_places=2))))
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(sector__icontains=search))
    if tier.isdigit():
        qs = qs.filter(tier_id=int(tier))
    if sector:
        qs = qs.filter(sector=sector)
    if crp.isdigit():
        qs = qs.filter(assignments__user_id=int(crp), assignments__role="crp", assignments__end_date__isnull=True)
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.on_team_of(user)
    key = sort.removeprefix("-")
    order = CLIENT_SORTS.get(key, "name")
    descending = sort.startswith("-") and key in CLIENT_SORTS
    return qs.order_by(f"-{order}" if descending else order, "pk")


def sectors_of(user: User) -> list[str]:
    return list(visible_clients(user).exclude(sector="").order_by("sector")
                .values_list("sector", flat=True).distinct())


def crp_choices(user: User, status: str = "") -> QuerySet[User]:
    """People who currently lead at least one client `user` may see (optionally of one status): the CRP
    filter's choices. A partner who leads only clients behind a wall is not offered to those outside it."""
    clients = visible_clients(user).filter(status=status) if status else visible_clients(user)
    leads = Assignment.objects.filter(user=OuterRef("pk"), role="crp", end_date__isnull=True,
                                      client__in=clients.values("pk"))
    return User.objects.filter(Exists(leads)).order_by("full_name").only("id", "full_name")


@dataclass
class FeeTable:
    years: list[int]
    rows: list[dict] = field(default_factory=list)  # {"service_line", "amounts": [..], "change": pct}
    totals: list[Decimal] = field(default_factory=list)
    total_changes: list[float | None] = field(default_factory=list)


def _change(previous: Decimal, current: Decimal) -> float | None:
    if not previous:
        return None
    return float((current - previous) / previous * 100)


def fee_table(client: Client, years: int = 3) -> FeeTable:
    """Fees by financial year × service line, with totals and year-on-year change."""
    records = list(FeeRecord.objects.filter(client=client).select_related("service_line"))
    latest = max([r.financial_year for r in records], default=current_financial_year())
    span = list(range(latest - years + 1, latest + 1))
    by_line: dict[ServiceLine, dict[int, Decimal]] = defaultdict(dict)
    for record in records:
        if record.financial_year in span:
            by_line[record.service_line][record.financial_year] = record.amount
    table = FeeTable(years=span)
    for line in sorted(by_line, key=lambda sl: sl.name):
        amounts = [by_line[line].get(year, Decimal(0)) for year in span]
        table.rows.append({"service_line": line, "amounts": amounts,
                           "change": _change(amounts[-2], amounts[-1]) if len(amounts) > 1 else None})
    table.totals = [sum((row["amounts"][i] for row in table.rows), Decimal(0)) for i in range(len(span))]
    table.total_changes = [None] + [_change(table.totals[i - 1], table.totals[i]) for i in range(1, len(span))]
    return table


def team_of(client: Client) -> QuerySet[Assignment]:
    return (Assignment.objects.filter(client=client).select_related("user", "user__practice_group", "user__office")
            .order_by(F("end_date").desc(nulls_first=True), "role", "-start_date"))
