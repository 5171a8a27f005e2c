"""Reads for clients, fees and teams, shaped for the pages and the API."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.access import visible_clients
from accounts.models import (
    Assignment,
    Client,
    FeeRecord,
    Notification,
    ServiceLine,
    User,
    current_financial_year,
)
from accounts.querysets import ClientQuerySet

CLIENT_SORTS = {
    "name": "name",
    "tier": "tier__rank",
    "sector": "sector",
    "country": "country",
    "status": "status",
    "crp": "crp_name",
    "fees": "fees_last_fy",
}


def last_complete_financial_year(as_of: datetime.date | None = None) -> int:
    return fee_period(as_of).year


@dataclass(frozen=True)
class FeePeriod:
    """The financial years a fee figure speaks of, as of a day.

    Fees are recorded per financial year, so the year still running holds only what has been
    billed so far: comparing it with a whole year states a fall that is only the calendar. Every
    fee figure therefore compares the last complete year (`year`) with the one before it
    (`previous`); the running year is shown "to date" and never compared.
    """

    year: int
    previous: int
    running: int


def fee_period(as_of: datetime.date | None = None) -> FeePeriod:
    running = current_financial_year(as_of)
    return FeePeriod(year=running - 1, previous=running - 2, running=running)


@dataclass
class PeriodFees:
    """A client's (or a set of clients') fees for a fee period."""

    period: FeePeriod
    amount: Decimal = Decimal(0)
    previous: Decimal = Decimal(0)
    to_date: Decimal = Decimal(0)
    by_line: dict[str, dict[int, Decimal]] = field(default_factory=dict)

    @property
    def change(self) -> float | None:
        """% change of the last complete year on the one before; None when there is no base."""
        return _change(self.previous, self.amount)

    @property
    def any(self) -> bool:
        return bool(self.amount or self.previous or self.to_date)


def fees_for_period(client_ids: Iterable[int], as_of: datetime.date | None = None) -> dict[int, PeriodFees]:
    """Each client's fees for the period as of `as_of` (default today), by service line too:
    one query for any number of clients."""
    period = fee_period(as_of)
    ids = list(client_ids)
    result = {pk: PeriodFees(period) for pk in ids}
    rows = FeeRecord.objects.filter(
        client_id__in=ids, financial_year__in=[period.previous, period.year, period.running]
    ).values_list("client_id", "financial_year", "service_line__name", "amount")
    for client_id, year, line, amount in rows:
        fees = result[client_id]
        if year == period.year:
            fees.amount += amount
        elif year == period.previous:
            fees.previous += amount
        else:
            fees.to_date += amount
        fees.by_line.setdefault(line, {})[year] = amount
    return result


def fee_totals_for_period(clients: QuerySet[Client], as_of: datetime.date | None = None) -> PeriodFees:
    """The summed fees of `clients` (a queryset, already filtered by the access rule) for the
    period as of `as_of`: one aggregate query."""
    period = fee_period(as_of)
    money = DecimalField(max_digits=18, decimal_places=2)
    totals = FeeRecord.objects.filter(client__in=clients.values("pk")).aggregate(
        year_total=Sum("amount", filter=Q(financial_year=period.year), output_field=money),
        previous_total=Sum("amount", filter=Q(financial_year=period.previous), output_field=money),
        running_total=Sum("amount", filter=Q(financial_year=period.running), output_field=money),
    )
    return PeriodFees(
        period,
        amount=totals["year_total"] or Decimal(0),
        previous=totals["previous_total"] or Decimal(0),
        to_date=totals["running_total"] or Decimal(0),
    )


def fees_in_year(year: int) -> Coalesce:
    """A client's fees in financial year `year` (0 when none), as an annotation of client rows: the
    per-row form of `fee_totals_for_period`, for lists sorted or filtered by fees."""
    total = (
        FeeRecord.objects.filter(client=OuterRef("pk"), financial_year=year)
        .order_by()
        .values("client")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=16, decimal_places=2)
    return Coalesce(Subquery(total, output_field=money), Value(Decimal(0)), output_field=money)


def client_list(
    *,
    user: User,
    search: str = "",
    tier: str = "",
    sector: str = "",
    crp: str = "",
    status: str = "",
    mine: bool = False,
    sort: str = "name",
) -> QuerySet[Client]:
    """Visible clients, filtered and sorted, with CRP name and last complete year's fees."""
    qs: ClientQuerySet = (
        visible_clients(user)
        .select_related("tier")
        .with_current_crp()
        .annotate(fees_last_fy=fees_in_year(last_complete_financial_year()))
    )
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
    return list(visible_clients(user).exclude(sector="").order_by("sector").values_list("sector", flat=True).distinct())


def crp_choices(user: User, status: str = "") -> QuerySet[User]:
    """People who currently lead at least one client `user` may see (optionally of one status): the CRP
    filter's choices. A partner who leads only clients behind a wall is not offered to those outside it."""
    clients = visible_clients(user).filter(status=status) if status else visible_clients(user)
    leads = Assignment.objects.filter(
        user=OuterRef("pk"), role="crp", end_date__isnull=True, client__in=clients.values("pk")
    )
    return User.objects.filter(Exists(leads)).order_by("full_name").only("id", "full_name")


@dataclass
class FeeTable:
    years: list[int]
    rows: list[dict] = field(default_factory=list)  # {"service_line", "amounts": [..], "change": pct}
    totals: list[Decimal] = field(default_factory=list)
    total_changes: list[float | None] = field(default_factory=list)
    period: FeePeriod | None = None
    running: int | None = None  # the financial year still running, shown to date, when it has fees


def _change(previous: Decimal, current: Decimal) -> float | None:
    if not previous:
        return None
    return float((current - previous) / previous * 100)


def fee_table(client: Client, years: int = 3, as_of: datetime.date | None = None) -> FeeTable:
    """Fees by financial year × service line: the complete years of the fee period, then the
    running year to date when it has fees. Changes compare complete years only."""
    period = fee_period(as_of)
    records = list(FeeRecord.objects.filter(client=client).select_related("service_line"))
    span = list(range(period.year - years + 1, period.year + 1))
    running = period.running if any(r.financial_year == period.running for r in records) else None
    if running:
        span.append(running)
    by_line: dict[ServiceLine, dict[int, Decimal]] = defaultdict(dict)
    for record in records:
        if record.financial_year in span:
            by_line[record.service_line][record.financial_year] = record.amount
    table = FeeTable(years=span, period=period, running=running)
    for line in sorted(by_line, key=lambda sl: sl.name):
        amounts = [by_line[line].get(year, Decimal(0)) for year in span]
        change = _change(by_line[line].get(period.previous, Decimal(0)), by_line[line].get(period.year, Decimal(0)))
        table.rows.append({"service_line": line, "amounts": amounts, "change": change})
    table.totals = [sum((row["amounts"][i] for row in table.rows), Decimal(0)) for i in range(len(span))]
    table.total_changes = [
        None,
        *[None if span[i] == running else _change(table.totals[i - 1], table.totals[i]) for i in range(1, len(span))],
    ]
    return table


def team_of(client: Client) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(client=client)
        .select_related("user", "user__practice_group", "user__office")
        .order_by(F("end_date").desc(nulls_first=True), "role", "-start_date")
    )


def notifications_of(user: User, *, unread: bool = False) -> QuerySet[Notification]:
    """The notifications `user` may read now (the wall re-checked at display time), newest first."""
    notes = Notification.objects.readable_by(user)
    if unread:
        notes = notes.filter(read_at__isnull=True)
    return notes.select_related("client").order_by("-created_at")


def unread_notification_count(user: User) -> int:
    return Notification.objects.readable_by(user).filter(read_at__isnull=True).count()
