"""CRP portfolio signals: the reasons to review who leads a client, per partner and firm-wide.

A constant number of queries whatever the firm's size: current CRP and SAM roles, fees of the last
two complete years, and the latest and 90-days-ago scores, each read once and combined in Python.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.access import visible_clients
from accounts.models import Assignment, AssignmentRole, FeeRecord, User
from accounts.selectors import fee_period
from health.formula import INSUFFICIENT
from health.models import HealthScore

GROWTH_TIER = "Growth"


@dataclass
class LedClient:
    client_id: int
    name: str
    tier: str
    tenure_years: float
    has_sam: bool
    fees_last: Decimal
    fees_before: Decimal
    score: float | None
    score_90: float | None
    band: str | None
    rotation_due: bool = False


@dataclass
class PartnerSignals:
    partner_id: int
    name: str
    clients: list[LedClient] = field(default_factory=list)
    workload: float = 0.0

    @property
    def led(self) -> int:
        return len(self.clients)

    @property
    def growth_clients(self) -> int:
        return sum(c.tier == GROWTH_TIER for c in self.clients)

    @property
    def too_many_growth(self) -> bool:
        return self.growth_clients > settings.CRP_MAX_GROWTH_CLIENTS

    @property
    def rotation_due(self) -> list[LedClient]:
        return [c for c in self.clients if c.rotation_due]

    @property
    def without_sam(self) -> list[LedClient]:
        return [c for c in self.clients if not c.has_sam]

    @property
    def average_health(self) -> float | None:
        scores = [c.score for c in self.clients if c.score is not None]
        return round(statistics.fmean(scores), 1) if scores else None

    @property
    def trend_90(self) -> float | None:
        pairs = [
            (c.score, c.score_90)
            for c in self.clients
            if c.score is not None and c.score_90 is not None
        ]
        return round(statistics.fmean(now - then for now, then in pairs), 1) if pairs else None

    @property
    def fee_retention(self) -> float | None:
        before = sum(c.fees_before for c in self.clients)
        return (
            round(float(sum(c.fees_last for c in self.clients) * 100 / before), 1)
            if before
            else None
        )


@dataclass
class FirmSignals:
    partners: list[PartnerSignals]
    growth_clients: int
    partners_leading_growth: int
    no_successor: list[tuple[LedClient, str]]
    tenure_years: int

    @property
    def max_growth_clients(self) -> int:
        return settings.CRP_MAX_GROWTH_CLIENTS

    @property
    def overloaded_growth(self) -> list[PartnerSignals]:
        return [p for p in self.partners if p.too_many_growth]


def _latest_scores(client_ids: list[int], on_or_before: datetime.date) -> dict[int, HealthScore]:
    rows = (
        HealthScore.objects.filter(client_id__in=client_ids, as_of__lte=on_or_before)
        .order_by("client_id", "-as_of")
        .distinct("client_id")
        .only("client_id", "score", "band")
    )
    return {row.client_id: row for row in rows}


def fee_factor(fees: Decimal, median: Decimal) -> float:
    """Weight 1 for a client billing the firm's median fee, from 0.5 (smallest) to 2 (largest)."""
    if not median:
        return 1.0
    return min(2.0, max(0.5, 0.5 + 0.5 * float(fees / median)))


def portfolio_signals(user: User, today: datetime.date | None = None) -> FirmSignals:
    today = today or timezone.localdate()
    tenure_years = settings.CRP_ROTATION_REVIEW_YEARS
    clients = visible_clients(user).values("pk")
    roles = list(
        Assignment.objects.filter(
            client__in=clients,
            end_date__isnull=True,
            role__in=[AssignmentRole.CRP, AssignmentRole.SAM],
        ).values_list(
            "client_id",
            "role",
            "user_id",
            "user__full_name",
            "start_date",
            "client__name",
            "client__tier__name",
            "client__tier__workload_weight",
        )
    )
    ids = sorted({row[0] for row in roles})
    last = fee_period(today).year
    fees = {
        row["client_id"]: row
        for row in FeeRecord.objects.filter(client_id__in=ids, financial_year__in=[last - 1, last])
        .values("client_id")
        .annotate(
            last=Sum("amount", filter=Q(financial_year=last), default=0),
            before=Sum("amount", filter=Q(financial_year=last - 1), default=0),
        )
    }
    latest = _latest_scores(ids, today)
    earlier = _latest_scores(ids, today - datetime.timedelta(days=90))
    with_sam = {row[0] for row in roles if row[1] == AssignmentRole.SAM}
    median = Decimal(statistics.median([f["last"] for f in fees.values()] or [0]))
    partners: dict[int, PartnerSignals] = {}
    no_successor = []
    for client_id, role, user_id, name, start, client_name, tier, weight in roles:
        if role != AssignmentRole.CRP:
            continue
        score, before = latest.get(client_id), earlier.get(client_id)
        usable = score is not None and score.band != INSUFFICIENT and score.score is not None
        usable_before = (
            before is not None and before.band != INSUFFICIENT and before.score is not None
        )
        tenure = (today - start).days / 365.25
        led = LedClient(
            client_id,
            client_name,
            tier,
            round(tenure, 1),
            client_id in with_sam,
            fees.get(client_id, {}).get("last", Decimal(0)),
            fees.get(client_id, {}).get("before", Decimal(0)),
            float(score.score) if usable else None,
            float(before.score) if usable_before else None,
            score.band if score else None,
            rotation_due=tenure >= tenure_years,
        )
        partner = partners.setdefault(user_id, PartnerSignals(user_id, name))
        partner.clients.append(led)
        partner.workload += float(weight) * fee_factor(led.fees_last, median)
        if not led.has_sam:
            no_successor.append((led, name))
    ordered = sorted(partners.values(), key=lambda p: (-p.workload, p.name))
    for partner in ordered:
        partner.workload = round(partner.workload, 1)
    return FirmSignals(
        partners=ordered,
        growth_clients=sum(p.growth_clients for p in ordered),
        partners_leading_growth=sum(1 for p in ordered if p.growth_clients),
        no_successor=sorted(no_successor, key=lambda item: item[0].name),
        tenure_years=tenure_years,
    )
