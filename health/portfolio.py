"""The health portfolio page: each CRP's signals (from accounts.crp_signals, the one home of the
CRP rules) beside the health and fee figures of the clients they lead.

A constant number of queries whatever the firm's size: the CRP signals, fees of the last two
complete years, and the latest and 90-days-ago scores, each read once and combined in Python.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.crp_signals import CrpSignals, LedClient, crp_signals
from accounts.models import FeeRecord, User
from accounts.selectors import fee_period
from health.formula import INSUFFICIENT
from health.selectors import latest_scores


@dataclass
class ClientHealth:
    fees_last: Decimal = Decimal(0)
    fees_before: Decimal = Decimal(0)
    score: float | None = None
    score_90: float | None = None


@dataclass
class PartnerSignals:
    crp: CrpSignals
    health: dict[int, ClientHealth]

    def __getattr__(self, name: str):
        # The CRP figures (led, workload, growth_clients, rotation_due…) come from the one home.
        return getattr(self.__dict__["crp"], name)

    def _of(self, client: LedClient) -> ClientHealth:
        return self.health.get(client.client_id, ClientHealth())

    @property
    def average_health(self) -> float | None:
        scores = [self._of(c).score for c in self.crp.clients if self._of(c).score is not None]
        return round(statistics.fmean(scores), 1) if scores else None

    @property
    def trend_90(self) -> float | None:
        pairs = [
            (self._of(c).score, self._of(c).score_90)
            for c in self.crp.clients
            if self._of(c).score is not None and self._of(c).score_90 is not None
        ]
        return round(statistics.fmean(now - then for now, then in pairs), 1) if pairs else None

    @property
    def fee_retention(self) -> float | None:
        before = sum(self._of(c).fees_before for c in self.crp.clients)
        last = sum(self._of(c).fees_last for c in self.crp.clients)
        return round(float(last * 100 / before), 1) if before else None


@dataclass
class FirmSignals:
    partners: list[PartnerSignals]

    @property
    def growth_clients(self) -> int:
        return sum(p.growth_clients for p in self.partners)

    @property
    def partners_leading_growth(self) -> int:
        return sum(1 for p in self.partners if p.growth_clients)

    @property
    def no_successor(self) -> list[tuple[LedClient, str]]:
        found = [(c, p.name) for p in self.partners for c in p.without_successor]
        return sorted(found, key=lambda item: item[0].name)

    @property
    def overloaded_growth(self) -> list[PartnerSignals]:
        return [p for p in self.partners if p.too_many_growth]

    @property
    def max_growth_clients(self) -> int:
        return settings.CRP_MAX_GROWTH_CLIENTS

    @property
    def tenure_years(self) -> int:
        return settings.CRP_ROTATION_REVIEW_YEARS

    @property
    def overload_weight(self) -> int:
        return settings.CRP_OVERLOAD_WEIGHT


def _latest_scores(client_ids: list[int], on_or_before: datetime.date) -> dict[int, float]:
    rows = latest_scores(client_ids, on_or_before).values_list("client_id", "score", "band")
    return {pk: float(score) for pk, score, band in rows if band != INSUFFICIENT and score is not None}


def portfolio_signals(user: User, today: datetime.date | None = None) -> FirmSignals:
    today = today or timezone.localdate()
    crps = crp_signals(user, on=today)
    ids = sorted(c.client_id for p in crps for c in p.clients)
    last = fee_period(today).year
    health = {pk: ClientHealth() for pk in ids}
    for row in (
        FeeRecord.objects.filter(client_id__in=ids, financial_year__in=[last - 1, last])
        .values("client_id")
        .annotate(
            last=Sum("amount", filter=Q(financial_year=last), default=0),
            before=Sum("amount", filter=Q(financial_year=last - 1), default=0),
        )
    ):
        health[row["client_id"]].fees_last = row["last"]
        health[row["client_id"]].fees_before = row["before"]
    for pk, score in _latest_scores(ids, today).items():
        health[pk].score = score
    for pk, score in _latest_scores(ids, today - datetime.timedelta(days=90)).items():
        health[pk].score_90 = score
    return FirmSignals([PartnerSignals(p, health) for p in crps])
