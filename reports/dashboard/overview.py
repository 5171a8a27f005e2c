"""The managing partners' firm-level figures, each one a link to the dashboard rows behind it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Subquery, Sum
from django.utils import timezone

from accounts.crp_signals import crp_figures, crp_signals
from accounts.models import Client, User
from accounts.selectors import fee_totals_for_period
from health.models import Band
from health.selectors import newest_scores
from planning.models import OPEN_STAGES, Opportunity, Origin, weighted_fees
from reports.dashboard import selectors


def quarter_start(today: datetime.date) -> datetime.date:
    return datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)


@dataclass
class BandShare:
    band: str
    label: str
    count: int
    share: float
    previous_share: float | None

    @property
    def change(self) -> float | None:
        return None if self.previous_share is None else self.share - self.previous_share


@dataclass
class Overview:
    total: int
    bands: list[BandShare]
    quarter_start: datetime.date
    fees_last: Decimal
    fees_prev: Decimal
    fee_year: int
    pipeline_sourced: Decimal
    pipeline_influenced: Decimal
    no_contact: int
    reviews_overdue: int
    overdue_actions: int
    falling: int
    crp_flags: list[CrpFlag]

    @property
    def fee_growth(self) -> float | None:
        return float((self.fees_last - self.fees_prev) / self.fees_prev * 100) if self.fees_prev else None


def _band_shares(user: User, today: datetime.date) -> tuple[int, list[BandShare], datetime.date]:
    start = quarter_start(today)
    base = selectors.portfolio_base(user)
    then = newest_scores(start).values("band")[:1]
    rows = list(base.order_by().annotate(band_then=Subquery(then)).values_list("band", "band_then"))
    total = len(rows)
    now_counts: dict[str | None, int] = {}
    then_counts: dict[str | None, int] = {}
    for band, band_then in rows:
        now_counts[band] = now_counts.get(band, 0) + 1
        then_counts[band_then] = then_counts.get(band_then, 0) + 1
    scored_then = sum(n for b, n in then_counts.items() if b is not None)
    shares = []
    for band, label in [(Band.GREEN, "Green"), (Band.AMBER, "Amber"), (Band.RED, "Red")]:
        share = now_counts.get(band, 0) / total * 100 if total else 0.0
        previous = then_counts.get(band, 0) / total * 100 if scored_then else None
        shares.append(BandShare(band, label, now_counts.get(band, 0), share, previous))
    return total, shares, start


@dataclass(frozen=True)
class CrpFlag:
    """A flagged CRP as the cached overview keeps it: its figures as plain values, not every client
    it leads (in a large firm those were most of the cache entry, and unpickling them most of the page)."""

    user_id: int
    name: str
    led: int
    growth_clients: int
    workload: Decimal
    flags: list[str]
    figures: dict  # accounts.crp_signals.crp_figures: the API's shape


def _crp_flags(user: User, today: datetime.date) -> list[CrpFlag]:
    """The flagged CRPs, most flags first, then the heaviest workload."""
    flagged = []
    for partner in crp_signals(user, on=today):
        figures = crp_figures(partner)
        if figures["flags"]:
            flagged.append(
                CrpFlag(
                    partner.user_id,
                    partner.name,
                    figures["clients"],
                    figures["growth_clients"],
                    figures["workload"],
                    figures["flags"],
                    figures,
                )
            )
    return sorted(flagged, key=lambda flag: (-len(flag.flags), -flag.workload, flag.name))


def firm_overview(user: User) -> Overview:
    today = timezone.localdate()
    total, bands, start = _band_shares(user, today)
    fees = fee_totals_for_period(Client.objects.visible_to(user).filter(status="active"), today)
    money = DecimalField(max_digits=18, decimal_places=2)
    active_ids = selectors.portfolio_base(user).values("pk")
    weighted = weighted_fees()
    pipeline = Opportunity.objects.filter(client__in=active_ids, stage__in=OPEN_STAGES).aggregate(
        sourced=Sum(weighted, filter=Q(origin=Origin.SOURCED), output_field=money),
        influenced=Sum(weighted, filter=Q(origin=Origin.INFLUENCED), output_field=money),
    )
    counts = selectors.portfolio_base(user).aggregate(
        no_contact=Count("pk", filter=selectors.attention_q("no_contact", today)),
        reviews=Count("pk", filter=selectors.attention_q("overdue_review", today)),
        actions=Count("pk", filter=selectors.attention_q("overdue_actions", today)),
        falling=Count("pk", filter=selectors.attention_q("falling", today)),
    )
    return Overview(
        total=total,
        bands=bands,
        quarter_start=start,
        fees_last=fees.amount,
        fees_prev=fees.previous,
        fee_year=fees.period.year,
        pipeline_sourced=pipeline["sourced"] or Decimal(0),
        pipeline_influenced=pipeline["influenced"] or Decimal(0),
        no_contact=counts["no_contact"],
        reviews_overdue=counts["reviews"],
        overdue_actions=counts["actions"],
        falling=counts["falling"],
        crp_flags=_crp_flags(user, today),
    )
