"""A partner's scorecard by quarter, with the three quarters before it for the trend.

Every figure is read from the one home that already computes it:
- CRP load, Growth clients, average health, its 90-day trend and fee retention: health.portfolio
  (which reads accounts.crp_signals), the same row the CRP signals page shows;
- fees and their growth: accounts.selectors.fee_totals_for_period over the clients led;
- sourced and influenced pipeline: planning's open pipeline as it stood (open_opportunities_as_of),
  weighted by Opportunity.weighted_value;
- client satisfaction (entered NPS) and relationship depth (senior coverage): health.measures, the
  functions the health score itself is computed with;
- own activity: stewardship.selectors.activity against stakeholders' contact target;
- development: the partner's credentials.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from accounts.access import visible_clients
from accounts.models import User
from accounts.selectors import PeriodFees, fee_totals_for_period
from health import measures
from health.portfolio import PartnerSignals, portfolio_signals
from planning.choices import Origin
from planning.selectors.as_of import open_opportunities_as_of
from reports.pdf.periods import Quarter
from stewardship.models import Credential
from stewardship.selectors.activity import Activity, own_activity

TREND_QUARTERS = 4
NPS_KEY = "client_nps"


@dataclass
class QuarterCard:
    quarter: Quarter
    as_of: datetime.date
    led: int = 0
    client_ids: list[int] = field(default_factory=list)
    workload: Decimal = Decimal(0)
    growth_clients: int = 0
    overloaded: bool = False
    too_many_growth: bool = False
    average_health: float | None = None
    health_trend_90: float | None = None
    fee_retention: float | None = None
    fees: PeriodFees | None = None
    pipeline_sourced: Decimal = Decimal(0)
    pipeline_influenced: Decimal = Decimal(0)
    nps: float | None = None
    nps_clients: int = 0
    senior_coverage: float | None = None  # per cent of key people known strongly, mean over clients
    activity: Activity | None = None
    credentials_current: int = 0
    credentials_gained: int = 0
    credentials_lapsing: list[str] = field(default_factory=list)

    @property
    def fee_growth(self) -> float | None:
        return None if self.fees is None or self.fees.change is None else round(self.fees.change, 1)


@dataclass
class PartnerScorecard:
    partner: User
    quarters: list[QuarterCard]  # oldest first; the last is the quarter asked for

    @property
    def current(self) -> QuarterCard:
        return self.quarters[-1]

    @property
    def thresholds(self) -> dict[str, int]:
        return {
            "overload_weight": settings.CRP_OVERLOAD_WEIGHT,
            "max_growth_clients": settings.CRP_MAX_GROWTH_CLIENTS,
        }


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def _fill_from_portfolio(card: QuarterCard, row: PartnerSignals) -> None:
    card.led = row.led
    card.client_ids = [c.client_id for c in row.clients]
    card.workload = row.workload
    card.growth_clients = row.growth_clients
    card.overloaded = row.overloaded
    card.too_many_growth = row.too_many_growth
    card.average_health = row.average_health
    card.health_trend_90 = row.trend_90
    card.fee_retention = row.fee_retention


def _pipeline(card: QuarterCard) -> None:
    pipeline = open_opportunities_as_of(card.client_ids, card.as_of)
    for rows in pipeline.rows.values():
        for opportunity in rows:
            if opportunity.origin == Origin.SOURCED:
                card.pipeline_sourced += opportunity.weighted_value
            else:
                card.pipeline_influenced += opportunity.weighted_value


def _credentials(card: QuarterCard, credentials: list[Credential], quarter: Quarter) -> None:
    day = card.as_of
    held = [c for c in credentials if c.obtained_on is None or c.obtained_on <= day]
    current = [c for c in held if c.expires_on is None or c.expires_on > day]
    card.credentials_current = len(current)
    card.credentials_gained = sum(1 for c in held if c.obtained_on and quarter.start <= c.obtained_on <= day)
    soon = day + datetime.timedelta(days=settings.CREDENTIAL_REMINDER_DAYS)
    card.credentials_lapsing = [c.name for c in current if c.expires_on and c.expires_on <= soon]


def quarter_card(reader: User, partner: User, quarter: Quarter, today: datetime.date) -> QuarterCard:
    card = QuarterCard(quarter=quarter, as_of=quarter.as_of(today))
    firm = portfolio_signals(reader, today=card.as_of)
    row = next((p for p in firm.partners if p.user_id == partner.pk), None)
    if row is not None:
        _fill_from_portfolio(card, row)
        card.fees = fee_totals_for_period(visible_clients(reader).filter(pk__in=card.client_ids), as_of=card.as_of)
        _pipeline(card)
        nps = measures.entered([NPS_KEY], card.as_of, card.client_ids)[NPS_KEY]
        card.nps, card.nps_clients = _mean(list(nps.values())), len(nps)
        coverage = measures.senior_coverage(card.as_of, card.client_ids)
        card.senior_coverage = _mean([share * 100 for share in coverage.values()])
        card.activity = own_activity([row.crp], card.as_of)[partner.pk]
    return card


def partner_scorecard(
    reader: User, partner: User, quarter: Quarter, today: datetime.date | None = None
) -> PartnerScorecard:
    """`partner`'s scorecard for `quarter` and the quarters before it, read as `reader` (who must
    already have been allowed to see it: accounts.access.may_see_partner_scorecard)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    credentials = list(Credential.objects.filter(user=partner))
    quarters = [quarter]
    while len(quarters) < TREND_QUARTERS:
        quarters.insert(0, quarters[0].previous)
    cards = []
    for q in quarters:
        card = quarter_card(reader, partner, q, today)
        _credentials(card, credentials, q)
        cards.append(card)
    return PartnerScorecard(partner=partner, quarters=cards)
