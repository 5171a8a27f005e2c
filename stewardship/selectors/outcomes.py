"""The figures a CRP decision is judged by: the health score and fee retention of the signal's
client (or of the partner's whole portfolio), read from health.portfolio, their one home."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from health.portfolio import FirmSignals
from stewardship.models import SignalDecision

OUTCOME_DAYS = 91  # a quarter


@dataclass(frozen=True)
class Figures:
    score: float | None
    retention: float | None


def signal_figures(firm: FirmSignals, partner_id: int, client_id: int | None) -> Figures:
    partner = next((p for p in firm.partners if p.user_id == partner_id), None)
    if partner is None:
        return Figures(None, None)
    if client_id is None:
        return Figures(partner.average_health, partner.fee_retention)
    health = partner.health.get(client_id)
    if health is None:
        return Figures(None, None)
    retention = round(float(health.fees_last * 100 / health.fees_before), 1) if health.fees_before else None
    return Figures(health.score, retention)


@dataclass(frozen=True)
class Outcome:
    due: bool  # a quarter has passed since the decision
    score_then: float | None
    score_now: float | None
    retention_then: float | None
    retention_now: float | None

    @property
    def recovered(self) -> bool | None:
        """Did the score or retention recover a quarter on? None when not yet due or not measurable."""
        if not self.due:
            return None
        moves = []
        if self.score_then is not None and self.score_now is not None:
            moves.append(self.score_now > self.score_then)
        if self.retention_then is not None and self.retention_now is not None:
            moves.append(self.retention_now > self.retention_then)
        return any(moves) if moves else None

    @property
    def words(self) -> str:
        if not self.due:
            return "Too early to tell"
        if self.recovered is None:
            return "Not measurable (no score or fees)"
        return "Recovered" if self.recovered else "Not recovered"


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def any_due(decisions: list[SignalDecision], today: datetime.date) -> bool:
    """Whether any of `decisions` is a quarter old: only those show today's figures beside the ones
    they were taken on, so only then are the firm's figures read."""
    return any((today - d.decided_on).days >= OUTCOME_DAYS for d in decisions)


def decision_outcome(decision: SignalDecision, firm: FirmSignals, today: datetime.date) -> Outcome:
    now = signal_figures(firm, decision.signal.partner_id, decision.signal.client_id)
    due = (today - decision.decided_on).days >= OUTCOME_DAYS
    return Outcome(due, _f(decision.score_then), now.score, _f(decision.retention_then), now.retention)
