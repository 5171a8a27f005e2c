"""The rotation calendar: for each CRP past the rotation policy (accounts.crp_signals), the quarter
Keyline proposes for the handover, and what the managing partners decided about it.

A proposed quarter leaves the overlap the policy asks for (`CRP_ROTATION_OVERLAP_DAYS`) and keeps
the whole handover, give or take `CRP_RENEWAL_WINDOW_DAYS`, clear of the client's re-tenders, rate
reviews and panel renewals (planning's PanelAppointment dates) — the seeds: never change the CRP in
a renewal window. While the client has an open critical risk (the health score's severe-risk line) or
an open critical incident or complaint (client listening), nothing starting within that window is
proposed either: no change during client stress.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from accounts.crp_signals import crp_signals
from accounts.models import User
from health.measures import HIGH_RISK_SEVERITY
from listening.selectors import open_critical_incident_counts
from planning.choices import OPEN_TRANSITION_STATUSES
from planning.models import PanelAppointment, Transition
from planning.selectors.as_of import severe_open_risk_counts_as_of
from reports.pdf.periods import Quarter
from stewardship.choices import ProposalStatus
from stewardship.models import RotationDecision

LOOK_AHEAD_QUARTERS = 8
DECLINE_HOLDS_DAYS = 365  # a declined rotation is not proposed again for a year


@dataclass(frozen=True)
class Blocker:
    day: datetime.date
    what: str  # "Re-tender of the Legal panel"


def handover_window(quarter: Quarter) -> tuple[datetime.date, datetime.date]:
    """The overlap a handover starting in `quarter` takes: from the quarter's first day."""
    start = quarter.start
    return start, start + datetime.timedelta(days=settings.CRP_ROTATION_OVERLAP_DAYS)


def clashes(quarter: Quarter, blockers: list[Blocker]) -> list[Blocker]:
    """The renewal dates that fall within the handover (and its margin) of `quarter`."""
    start, end = handover_window(quarter)
    margin = datetime.timedelta(days=settings.CRP_RENEWAL_WINDOW_DAYS)
    return [b for b in blockers if start - margin <= b.day <= end + margin]


def in_stress(quarter: Quarter, stress: list[str], today: datetime.date) -> bool:
    return bool(stress) and quarter.start < today + datetime.timedelta(days=settings.CRP_RENEWAL_WINDOW_DAYS)


def propose_quarter(
    today: datetime.date, blockers: list[Blocker], stress: list[str]
) -> tuple[Quarter | None, list[str]]:
    """The first quarter from the next one that clears every blocker and the client's stress (its
    reasons in words: "an open critical risk"); and what was avoided, in words."""
    avoided: list[str] = []
    quarter = Quarter.containing(today).next
    for _ in range(LOOK_AHEAD_QUARTERS):
        found = clashes(quarter, blockers)
        if not found and not in_stress(quarter, stress, today):
            return quarter, avoided
        for blocker in found:
            text = f"{blocker.what} on {blocker.day:%d %b %Y}"
            if text not in avoided:
                avoided.append(text)
        if in_stress(quarter, stress, today):
            avoided.extend(reason for reason in stress if reason not in avoided)
        quarter = quarter.next
    return None, avoided


def stress_of(client_ids: list[int], today: datetime.date) -> dict[int, list[str]]:
    """Why each client is under stress today: open critical risks and open critical incidents."""
    risks = severe_open_risk_counts_as_of(client_ids, today, min_severity=HIGH_RISK_SEVERITY)
    incidents = open_critical_incident_counts(today, client_ids)["open_incidents"]
    found: dict[int, list[str]] = {}
    for client_id in client_ids:
        reasons = []
        if risks.get(client_id, 0):
            reasons.append("an open critical risk")
        if incidents.get(client_id, 0):
            reasons.append("an open critical incident")
        found[client_id] = reasons
    return found


def blockers_of(client_ids: list[int]) -> dict[int, list[Blocker]]:
    found: dict[int, list[Blocker]] = {pk: [] for pk in client_ids}
    for panel in PanelAppointment.objects.filter(client_id__in=client_ids).order_by("retender_on", "id"):
        if panel.retender_on:
            found[panel.client_id].append(Blocker(panel.retender_on, f"Re-tender of {panel.panel_name}"))
        if panel.rate_review_on:
            found[panel.client_id].append(Blocker(panel.rate_review_on, f"Rate review of {panel.panel_name}"))
    return found


@dataclass
class RotationRow:
    client_id: int
    client_name: str
    crp_id: int
    crp_name: str
    tenure: str
    successor: str | None
    proposed: Quarter | None
    avoided: list[str] = field(default_factory=list)
    decision: RotationDecision | None = None
    open_transition: Transition | None = None

    @property
    def state(self) -> str:
        if self.open_transition is not None:
            return "transition"
        if self.decision is None:
            return "proposed"
        return self.decision.status

    @property
    def quarter(self) -> Quarter | None:
        if self.decision is not None and self.decision.status == ProposalStatus.MOVED:
            return Quarter.containing(self.decision.quarter_start)
        if self.decision is not None and self.decision.status == ProposalStatus.ACCEPTED:
            return Quarter.containing(self.decision.quarter_start)
        return self.proposed


def rotation_calendar(reader: User, today: datetime.date | None = None) -> list[RotationRow]:
    """Every client whose CRP is due a rotation review, with the proposal and its decision, by quarter."""
    today = today or timezone.localdate()
    due = [(p, c) for p in crp_signals(reader, on=today) for c in p.rotation_due]
    ids = [c.client_id for _, c in due]
    blockers = blockers_of(ids)
    stress = stress_of(ids, today)
    transitions = {
        t.client_id: t
        for t in Transition.objects.filter(client_id__in=ids, status__in=OPEN_TRANSITION_STATUSES).select_related(
            "incoming"
        )
    }
    decisions: dict[int, RotationDecision] = {}
    for found in RotationDecision.objects.filter(client_id__in=ids).order_by("client_id", "-decided_on", "-id"):
        decisions.setdefault(found.client_id, found)
    rows = []
    for partner, led in due:
        decision: RotationDecision | None = decisions.get(led.client_id)
        if decision is not None and decision.outgoing_id != partner.user_id:
            decision = None  # decided for an earlier CRP
        if (
            decision is not None
            and decision.status == ProposalStatus.DECLINED
            and (today - decision.decided_on).days > DECLINE_HOLDS_DAYS
        ):
            decision = None
        proposed, avoided = propose_quarter(today, blockers[led.client_id], stress[led.client_id])
        rows.append(
            RotationRow(
                client_id=led.client_id,
                client_name=led.name,
                crp_id=partner.user_id,
                crp_name=partner.name,
                tenure=led.tenure_label,
                successor=led.successor,
                proposed=proposed,
                avoided=avoided,
                decision=decision,
                open_transition=transitions.get(led.client_id),
            )
        )
    far = Quarter(2100, 4)
    return sorted(rows, key=lambda r: ((r.quarter or far).start, r.client_name, r.client_id))
