"""The CRP stewardship section of the quarterly pack: the signals open at the quarter's end, the
decisions taken in it, the outcomes of last quarter's decisions, the rotations decided, and
succession readiness with each practice group's bench.

HR-sensitive, so it goes only into packs requested by someone who governs CRPs (managing partners
and administrators): a pack a BD person requests has no such section.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from accounts.access import may_govern_crps
from accounts.crp_signals import crp_signals
from accounts.models import User
from health.portfolio import portfolio_signals
from stewardship.models import CrpSignal, RotationDecision, SignalDecision, Succession
from stewardship.selectors.firm import Bench, SuccessionRow, succession_view
from stewardship.selectors.outcomes import Outcome, decision_outcome

OUTCOME_LOOKBACK_DAYS = 92


@dataclass
class StewardshipPack:
    open_signals: list[CrpSignal] = field(default_factory=list)
    decisions: list[SignalDecision] = field(default_factory=list)
    outcomes: list[tuple[SignalDecision, Outcome]] = field(default_factory=list)
    rotations: list[RotationDecision] = field(default_factory=list)
    without_ready_successor: list[SuccessionRow] = field(default_factory=list)
    successors_named: list[Succession] = field(default_factory=list)
    bench: list[Bench] = field(default_factory=list)

    @property
    def undecided(self) -> int:
        return sum(1 for s in self.open_signals if not s.decisions.all())


def pack_section(
    reader: User | None, client_ids: list[int], start: datetime.date, end: datetime.date
) -> StewardshipPack | None:
    """The section for a pack of `client_ids` over [start, end], or None when `reader` may not read it."""
    if reader is None or not may_govern_crps(reader):
        return None
    partners = [p for p in crp_signals(reader, on=end) if any(c.client_id in client_ids for c in p.clients)]
    partner_ids = [p.user_id for p in partners]
    in_scope = Q(client_id__in=client_ids) | Q(client__isnull=True, partner_id__in=partner_ids)
    signals = list(
        CrpSignal.objects.filter(in_scope, first_seen__lte=end)
        .filter(Q(cleared_on__isnull=True) | Q(cleared_on__gt=end))
        .select_related("client", "partner")
        .prefetch_related("decisions")
        .order_by("first_seen", "id")
    )
    decided = (
        SignalDecision.objects.filter(
            Q(signal__client_id__in=client_ids) | Q(signal__client__isnull=True, signal__partner_id__in=partner_ids)
        )
        .select_related("signal__client", "signal__partner", "decided_by", "transition__incoming")
        .order_by("decided_on", "id")
    )
    this_quarter = [d for d in decided if start <= d.decided_on <= end]
    lookback = start - datetime.timedelta(days=OUTCOME_LOOKBACK_DAYS)
    last_quarter = [d for d in decided if lookback <= d.decided_on < start]
    firm = portfolio_signals(reader, today=end)
    succession = succession_view(reader, end)
    scope = set(client_ids)
    return StewardshipPack(
        open_signals=signals,
        decisions=this_quarter,
        outcomes=[(d, decision_outcome(d, firm, end)) for d in last_quarter],
        rotations=list(
            RotationDecision.objects.filter(client_id__in=client_ids, decided_on__range=(start, end))
            .select_related("client", "outgoing", "transition__incoming")
            .order_by("decided_on", "id")
        ),
        without_ready_successor=[r for r in succession.without_ready_successor if r.client_id in scope],
        successors_named=list(
            Succession.objects.filter(client_id__in=client_ids, updated_at__date__range=(start, end))
            .select_related("client", "successor")
            .order_by("client__name", "id")
        ),
        bench=succession.bench,
    )
