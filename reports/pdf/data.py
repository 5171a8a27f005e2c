"""What a report knows about each client, and the programme's thresholds it judges them by."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from accounts.selectors import PeriodFees, fee_period
from health.models import Measure, Scorecard
from planning.models import AccountPlan, Action, Objective, Opportunity, Risk
from reports.pdf.periods import Quarter
from stakeholders.models import Stakeholder
from stakeholders.selectors import contact_target_per_year

TREND_QUARTERS = 6


@dataclass
class Score:
    value: Decimal | None
    band: str
    as_of: datetime.date
    coverage: Decimal = Decimal(0)
    components: list = field(default_factory=list)
    scorecard_id: int | None = None

    @property
    def rounded(self) -> int | None:
        return None if self.value is None else int(self.value.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


@dataclass
class ClientData:
    id: int
    name: str
    sector: str
    tier: str
    tier_rank: int
    confidential: bool
    review_cadence_days: int
    crp: str = ""
    crp_id: int | None = None
    crp_since: datetime.date | None = None
    sam: str = ""
    score: Score | None = None
    previous_score: Score | None = None
    trend: list[tuple[Quarter, int | None]] = field(default_factory=list)
    fees: PeriodFees = field(default_factory=lambda: PeriodFees(fee_period()))
    opportunities: list[Opportunity] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    plan: AccountPlan | None = None
    objectives: list[Objective] = field(default_factory=list)
    actions_total: int = 0
    actions_done: int = 0
    overdue_actions: list[Action] = field(default_factory=list)
    last_review: datetime.date | None = None
    review_overdue: bool = False
    stakeholders: list[Stakeholder] = field(default_factory=list)
    best_strength: dict[int, int] = field(default_factory=dict)
    coverage_gaps: list[Stakeholder] = field(default_factory=list)
    key_people: int = 0
    interactions: int = 0
    previous_interactions: int = 0
    interactions_by_kind: dict[str, int] = field(default_factory=dict)
    average_sentiment: float | None = None
    interactions_last_year: int = 0
    # CRP signals from accounts.crp_signals; known only for active clients the reader may see.
    crp_signals_known: bool = False
    tenure_years: float | None = None
    has_successor: bool = False
    rotation_due: bool = False
    overloaded: bool = False
    crp_workload: Decimal | None = None
    # Critical incidents and complaints open at the report's date: [(title, occurred_on)], oldest first.
    open_critical_incidents: list[tuple[str, datetime.date]] = field(default_factory=list)
    # "risks", "opportunities", "stakeholders" -> the first day with recorded history, for the kinds
    # whose history starts after the report's date: what the client held then is not known.
    history_starts: dict[str, datetime.date] = field(default_factory=dict)

    @property
    def without_successor(self) -> bool:
        return self.crp_signals_known and not self.has_successor

    @property
    def fee_columns(self) -> list[tuple[int, str]]:
        """The financial years of the fee tables: the two complete years, then the running one."""
        period = self.fees.period
        return [
            (period.previous, f"FY{period.previous}"),
            (period.year, f"FY{period.year}"),
            (period.running, f"FY{period.running} to date"),
        ]

    @property
    def fees_by_line(self) -> list[tuple[str, list[Decimal | None]]]:
        years = [year for year, _ in self.fee_columns]
        return [(line, [amounts.get(year) for year in years]) for line, amounts in sorted(self.fees.by_line.items())]

    @property
    def pipeline_total(self) -> Decimal:
        return sum((o.estimated_fees for o in self.opportunities), Decimal(0))

    @property
    def pipeline_weighted(self) -> Decimal:
        return sum((o.weighted_value for o in self.opportunities), Decimal(0))

    @property
    def contact_target(self) -> int:
        """Touchpoints a year the programme expects (one target for every page and pack)."""
        return contact_target_per_year()

    @property
    def band(self) -> str:
        return self.score.band if self.score else "insufficient"

    @property
    def delta(self) -> int | None:
        if not (self.score and self.previous_score):
            return None
        if self.score.rounded is None or self.previous_score.rounded is None:
            return None
        return self.score.rounded - self.previous_score.rounded

    @property
    def heat_map(self) -> dict[tuple[int, int], int]:
        return Counter((r.likelihood, r.impact) for r in self.risks)

    @property
    def missing(self) -> list[str]:
        """What this client has no data for yet, said plainly in the report."""
        gaps = []
        if self.score is None:
            gaps.append("health score")
        if not self.fees.any:
            gaps.append("fee records")
        if self.plan is None:
            gaps.append("active account plan")
        if not self.stakeholders:
            starts = self.history_starts.get("stakeholders")
            gaps.append(
                f"stakeholder map (no history recorded before {starts:%-d %b %Y})" if starts else "stakeholder map"
            )
        if not self.interactions and not self.previous_interactions:
            gaps.append("recorded interactions")
        return gaps


@dataclass
class ReportData:
    quarter: Quarter
    clients: list[ClientData]
    scorecard: Scorecard | None
    measures: list[Measure]
    as_of: datetime.date
