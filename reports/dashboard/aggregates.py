"""Chart figures over a filtered portfolio: each one query, whatever the number of clients."""

from __future__ import annotations

import datetime
import heapq
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections, router
from django.db.models import Avg, BooleanField, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.crp_signals import CrpSignals, crp_signals
from accounts.models import Client, FeeRecord, User
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


def any_of(column: str, ids: list[int]) -> RawSQL:
    """`column = ANY(ids)` with the ids as one array parameter: an IN list of thousands of ids
    took tens of milliseconds to build and send."""
    sql = f"{column} = ANY(%s::bigint[])"
    return RawSQL(sql, [list(ids)], output_field=BooleanField())  # noqa: S611  # nosec B611 - constant columns


def month_starts(today: datetime.date, months: int = 12) -> list[datetime.date]:
    first = today.replace(day=1)
    starts = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        starts.append(datetime.date(year, month + 1, 1))
    return starts


def average_score_by_month(client_ids: list[int], today: datetime.date | None = None) -> list[tuple[str, float | None]]:
    """The filtered portfolio's average score on each month's last scoring day, for 12 months.

    Scores are recomputed for all clients in one run, so the last scored day of a month is one
    consistent snapshot; reading that day only keeps this to 12 x N rows, not a year of history.
    """
    today = today or timezone.localdate()
    starts = month_starts(today)
    rows = (
        HealthScore.objects.filter(
            any_of("health_healthscore.client_id", client_ids),
            as_of__in=month_sample_days(starts),
            score__isnull=False,
        )
        .values("as_of")
        .annotate(average=Avg("score"))
        .values_list("as_of", "average")
    )
    by_month = {(as_of.year, as_of.month): float(average) for as_of, average in rows}
    return [(start.strftime("%b %Y"), by_month.get((start.year, start.month))) for start in starts]


def month_sample_days(starts: list[datetime.date]) -> list[datetime.date]:
    """The last scoring day of each month. Fetched on its own: as a subquery of the averages,
    PostgreSQL re-evaluated it for every score row. Raw SQL follows the router, as the queries beside it."""
    with connections[router.db_for_read(HealthScore)].cursor() as cursor:
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


def fees_by_service_line(client_ids: list[int]) -> FeeMatrix:
    last = last_complete_financial_year()
    years = list(range(last - FEE_YEARS + 1, last + 1))
    rows = (
        FeeRecord.objects.filter(any_of("accounts_feerecord.client_id", client_ids), financial_year__in=years)
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
    matrix.totals = [sum((amounts[i] for _, amounts in matrix.rows), Decimal(0)) for i in range(len(years))]
    return matrix


@dataclass
class Mover:
    pk: int
    name: str
    score: Decimal | None
    trend: Decimal


@dataclass
class PortfolioRow:
    pk: int
    name: str
    band: str | None
    trend: Decimal | None


def portfolio_rows(portfolio: QuerySet[Client]) -> list[PortfolioRow]:
    """The columns the charts need, read once per client. Band and trend are subqueries: each
    chart aggregating them in SQL made PostgreSQL evaluate them again (and misjudge the rows a
    band filter leaves, planning the month averages as thousands of nested probes)."""
    columns = ("pk", "name", "band", "trend")
    return [PortfolioRow(*values) for values in portfolio.order_by().values_list(*columns)]


def band_counts(rows: list[PortfolioRow]) -> dict[str | None, int]:
    return dict(Counter(row.band for row in rows))


def biggest_movers(rows: list[PortfolioRow], portfolio: QuerySet[Client]) -> tuple[list[Mover], list[Mover]]:
    """The clients whose score rose most and fell most over the trend window."""
    trending = [row for row in rows if row.trend is not None]
    rising = heapq.nsmallest(MOVERS, (r for r in trending if r.trend > 0), key=lambda r: (-r.trend, r.pk))
    falling = heapq.nsmallest(MOVERS, (r for r in trending if r.trend < 0), key=lambda r: (r.trend, r.pk))
    ids = [row.pk for row in rising + falling]
    scores = dict(portfolio.order_by().filter(pk__in=ids).values_list("pk", "score")) if ids else {}
    return (
        [Mover(r.pk, r.name, scores.get(r.pk), r.trend) for r in rising],
        [Mover(r.pk, r.name, scores.get(r.pk), r.trend) for r in falling],
    )


def crp_workload(user: User, client_ids: list[int]) -> list[CrpSignals]:
    """The CRPs carrying most of the filtered portfolio, by the one CRP-signals rule."""
    return crp_signals(user, within=client_ids)[:WORKLOAD_ROWS]
