"""Chart figures over a filtered portfolio: each one query, whatever the number of clients."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, F, Q, QuerySet, Sum, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
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
    sample_days = RawSQL(
        "SELECT (SELECT max(h.as_of) FROM health_healthscore h WHERE h.as_of >= m.start "
        "AND h.as_of < (m.start + interval '1 month')::date) "
        "FROM (SELECT generate_series(%s::date, %s::date, interval '1 month')::date AS start) m",
        [starts[0], starts[-1]],
    )
    rows = (
        HealthScore.objects.filter(
            client_id__in=client_ids, as_of__in=sample_days, score__isnull=False
        )
        .values("as_of")
        .annotate(average=Avg("score"))
        .values_list("as_of", "average")
    )
    by_month = {(as_of.year, as_of.month): float(average) for as_of, average in rows}
    return [(start.strftime("%b %Y"), by_month.get((start.year, start.month))) for start in starts]


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
    """The clients whose score rose most and fell most over the trend window, in one query."""
    ranked = (
        portfolio.filter(trend__isnull=False)
        .order_by()
        .annotate(
            rise=Window(RowNumber(), order_by=[F("trend").desc(), F("pk").asc()]),
            fall=Window(RowNumber(), order_by=[F("trend").asc(), F("pk").asc()]),
        )
        .filter(Q(rise__lte=MOVERS) | Q(fall__lte=MOVERS))
        .values_list("pk", "name", "score", "trend", "rise", "fall")
    )
    up, down = [], []
    for pk, name, score, trend, rise, fall in ranked:
        if rise <= MOVERS and trend > 0:
            up.append((rise, Mover(pk, name, score, trend)))
        if fall <= MOVERS and trend < 0:
            down.append((fall, Mover(pk, name, score, trend)))
    return [m for _, m in sorted(up, key=lambda i: i[0])], [
        m for _, m in sorted(down, key=lambda i: i[0])
    ]


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
