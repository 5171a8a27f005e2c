"""Chart figures over a filtered portfolio: each one query, whatever the number of clients."""

from __future__ import annotations

import datetime
import heapq
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import Client, FeeRecord
from accounts.selectors import last_complete_financial_year
from health.models import Band, HealthScore

BAND_LABELS = dict(Band.choices)
BAND_SEQUENCE = [Band.GREEN, Band.AMBER, Band.RED, Band.INSUFFICIENT, None]
MOVERS = 5
WORKLOAD_ROWS = 10
FEE_YEARS = 3


@dataclass
class BandSlice:
    band: str | None
    label: str
    count: int
    share: float


def band_slices(counts: dict[str | None, int]) -> list[BandSlice]:
    total = sum(counts.values()) or 1
    return [
        BandSlice(
            band=band,
            label=BAND_LABELS.get(band, "Not scored"),
            count=counts.get(band, 0),
            share=counts.get(band, 0) / total * 100,
        )
        for band in BAND_SEQUENCE
        if counts.get(band, 0) or band in (Band.GREEN, Band.AMBER, Band.RED)
    ]


def month_starts(today: datetime.date, months: int = 12) -> list[datetime.date]:
    first = today.replace(day=1)
    starts = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        starts.append(datetime.date(year, month + 1, 1))
    return starts


def average_score_by_month(
    client_ids: QuerySet, today: datetime.date | None = None
) -> list[tuple[str, float | None]]:
    """The filtered portfolio's average score on each month's last scoring day, for 12 months.

    Scores are recomputed for all clients in one run, so the last scored day of a month is one
    consistent snapshot; reading that day only keeps this to 12 x N rows, not a year of history.
    """
    today = today or timezone.localdate()
    starts = month_starts(today)
    rows = (
        HealthScore.objects.filter(
            client_id__in=client_ids, as_of__in=month_sample_days(starts), score__isnull=False
        )
        .values("as_of")
        .annotate(average=Avg("score"))
        .values_list("as_of", "average")
    )
    by_month = {(as_of.year, as_of.month): float(average) for as_of, average in rows}
    return [(start.strftime("%b %Y"), by_month.get((start.year, start.month))) for start in starts]


def month_sample_days(starts: list[datetime.date]) -> list[datetime.date]:
    """The last scoring day of each month. Fetched on its own: as a subquery of the averages,
    PostgreSQL re-evaluated it for every score row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT max(h.as_of) FROM health_healthscore h WHERE h.as_of >= m.start "
            "AND h.as_of < (m.start + interval '1 month')::date) "
            "FROM (SELECT generate_series(%s::date, %s::date, interval '1 month')::date AS start) m",
            [starts[0], starts[-1]],
        )
        return [day for (day,) in cursor.fetchall() if day is not None]


@dataclass
class FeeMatrix:
    years: list[int]
    rows: list[tuple[str, list[Decimal]]] = field(default_factory=list)
    totals: list[Decimal] = field(default_factory=list)

    @property
    def largest(self) -> Decimal:
        return max((amount for _, amounts in self.rows for amount in amounts), default=Decimal(0))


def fees_by_service_line(client_ids: QuerySet) -> FeeMatrix:
    last = last_complete_financial_year()
    years = list(range(last - FEE_YEARS + 1, last + 1))
    rows = (
        FeeRecord.objects.filter(client_id__in=client_ids, financial_year__in=years)
        .values("service_line__name", "financial_year")
        .annotate(total=Sum("amount"))
        .values_list("service_line__name", "financial_year", "total")
    )
    table: dict[str, dict[int, Decimal]] = {}
    for line, year, total in rows:
        table.setdefault(line, {})[year] = total
    matrix = FeeMatrix(years=years)
    for line in sorted(table):
        matrix.rows.append((line, [table[line].get(year, Decimal(0)) for year in years]))
    matrix.totals = [
        sum((amounts[i] for _, amounts in matrix.rows), Decimal(0)) for i in range(len(years))
    ]
    return matrix


@dataclass
class Mover:
    pk: int
    name: str
    score: Decimal | None
    trend: Decimal


def biggest_movers(portfolio: QuerySet[Client]) -> tuple[list[Mover], list[Mover]]:
    """The clients whose score rose most and fell most over the trend window.

    The trend is a nested subquery: it is read once per client and ranked here, because ranking
    it in SQL made PostgreSQL evaluate it once for the filter and once per ordering.
    """
    trends = [
        (pk, name, trend)
        for pk, name, trend in portfolio.order_by().values_list("pk", "name", "trend")
        if trend is not None
    ]
    rising = heapq.nsmallest(MOVERS, (t for t in trends if t[2] > 0), key=lambda t: (-t[2], t[0]))
    falling = heapq.nsmallest(MOVERS, (t for t in trends if t[2] < 0), key=lambda t: (t[2], t[0]))
    ids = [pk for pk, _, _ in rising + falling]
    scores = dict(portfolio.order_by().filter(pk__in=ids).values_list("pk", "score")) if ids else {}
    return (
        [Mover(pk, name, scores.get(pk), trend) for pk, name, trend in rising],
        [Mover(pk, name, scores.get(pk), trend) for pk, name, trend in falling],
    )


@dataclass
class Workload:
    crp_id: int
    name: str
    clients: int
    growth_clients: int
    weight: Decimal


def crp_workload(portfolio: QuerySet[Client]) -> list[Workload]:
    """CRPs carrying most of the filtered portfolio, weighted by each client's tier."""
    rows = (
        portfolio.order_by()
        .values("crp_id", "crp_name")
        .annotate(
            clients=Count("pk"),
            growth=Count("pk", filter=Q(tier__rank__lte=1)),
            weight=Sum("tier__workload_weight"),
        )
        .order_by("-weight", "crp_name")[:WORKLOAD_ROWS]
    )
    return [
        Workload(
            row["crp_id"],
            row["crp_name"] or "No CRP",
            row["clients"],
            row["growth"],
            row["weight"] or Decimal(0),
        )
        for row in rows
    ]
