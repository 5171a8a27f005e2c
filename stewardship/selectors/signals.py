"""The CRP signals as they fire today, and the decision log kept on them.

The signals themselves come from their homes: rotation review, successor, overload and too many
Growth clients from accounts.crp_signals; falling activity from `activity.own_activity`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.crp_signals import CrpSignals
from stewardship.choices import SignalKind
from stewardship.models import CrpSignal, SignalDecision
from stewardship.selectors.activity import own_activity


@dataclass(frozen=True)
class LiveSignal:
    kind: str
    partner_id: int
    partner_name: str
    client_id: int | None
    client_name: str
    detail: str

    @property
    def key(self) -> tuple[str, int, int | None]:
        return (self.kind, self.partner_id, self.client_id)


def live_signals(partners: list[CrpSignals], on: datetime.date) -> list[LiveSignal]:
    """Every CRP signal firing on `on` for the CRPs in `partners` (from accounts.crp_signals)."""
    activity = own_activity(partners, on)
    found: list[LiveSignal] = []
    for p in partners:
        for c in p.rotation_due:
            detail = f"{c.tenure_label} years as CRP"
            found.append(LiveSignal(SignalKind.ROTATION_DUE, p.user_id, p.name, c.client_id, c.name, detail))
        for c in p.without_successor:
            found.append(LiveSignal(SignalKind.NO_SUCCESSOR, p.user_id, p.name, c.client_id, c.name, "No SAM"))
        if p.overloaded:
            found.append(LiveSignal(SignalKind.OVERLOADED, p.user_id, p.name, None, "", f"Workload {p.workload:.1f}"))
        if p.too_many_growth:
            detail = f"{p.growth_clients} Growth clients"
            found.append(LiveSignal(SignalKind.TOO_MANY_GROWTH, p.user_id, p.name, None, "", detail))
        mine = activity[p.user_id]
        if mine.falling:
            detail = f"Own touchpoints {mine.before} → {mine.recent} over 90 days ({mine.change:+.0f}%)"
            found.append(LiveSignal(SignalKind.FALLING_ACTIVITY, p.user_id, p.name, None, "", detail))
    return found


def open_signals() -> QuerySet[CrpSignal]:
    """Signals still firing, oldest first, each with its decisions (newest first)."""
    return (
        CrpSignal.objects.filter(cleared_on__isnull=True)
        .select_related("client", "partner")
        .prefetch_related(Prefetch("decisions", queryset=SignalDecision.objects.select_related("decided_by")))
        .order_by("first_seen", "id")
    )


def decision_log(limit: int = 200) -> QuerySet[SignalDecision]:
    return SignalDecision.objects.select_related(
        "signal__client", "signal__partner", "decided_by", "transition__incoming"
    ).order_by("-decided_on", "-id")[:limit]


@dataclass(frozen=True)
class StewardshipSummary:
    open: int
    undecided: int
    escalated: int
    decided_this_quarter: int


def stewardship_summary(today: datetime.date) -> StewardshipSummary:
    """The firm overview's line on CRP decisions (for those who govern CRPs): one aggregate query
    over the recorded signals and their decisions. Outcomes are read in the decision log itself."""
    from reports.pdf.periods import Quarter

    still_open = Q(cleared_on__isnull=True)
    decided = SignalDecision.objects.filter(signal=OuterRef("pk"))
    figures = CrpSignal.objects.aggregate(
        open=Count("id", filter=still_open, distinct=True),
        undecided=Count("id", filter=still_open & ~Q(Exists(decided)), distinct=True),
        escalated=Count("id", filter=still_open & Q(escalated_on__isnull=False), distinct=True),
        decided_this_quarter=Count(
            "decisions", filter=Q(decisions__decided_on__gte=Quarter.containing(today).start), distinct=True
        ),
    )
    return StewardshipSummary(**figures)
