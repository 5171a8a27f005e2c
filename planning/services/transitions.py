"""CRP transitions and the onboarding checklist of a new CRP."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services as account_services
from accounts.access import CRP_REFUSED, TEAM_REFUSED, may_hand_over_crp, may_plan_transition, require
from accounts.models import Assignment, AssignmentRole, Client, User
from core.validators import require_active_person
from planning.choices import OPEN_TRANSITION_STATUSES
from planning.models import (
    ChecklistItem,
    ChecklistPhase,
    Transition,
    TransitionStatus,
)
from planning.services.base import create, planning_write, update

ONBOARDING_STEPS: list[tuple[str, int, str]] = [
    (ChecklistPhase.DAYS_30, 30, "Meet the key stakeholders and sponsors"),
    (
        ChecklistPhase.DAYS_30,
        30,
        "Review engagement letters, contracts and the relationship history",
    ),
    (ChecklistPhase.DAYS_30, 30, "Update the stakeholder map and the risk register"),
    (
        ChecklistPhase.DAYS_60,
        60,
        "Agree the account plan's priorities and quick wins with the team",
    ),
    (ChecklistPhase.DAYS_60, 60, "Check in with each service line working for the client"),
    (ChecklistPhase.DAYS_90, 90, "Hold the first client review (QBR) as CRP"),
    (ChecklistPhase.DAYS_90, 90, "Agree outcomes and a review cadence with the client"),
]

HANDOVER_STEPS = [
    "Joint introduction of the incoming CRP to the key stakeholders",
    "Walk through the account plan, open actions and pipeline",
    "Hand over relationship history, sensitivities and guidelines",
    "Brief the incoming CRP on panel, tender and rate-review dates",
]


def onboarding_checklist_create(*, assignment: Assignment) -> list[ChecklistItem]:
    """The 30/60/90-day checklist of a new CRP assignment. Safe to run twice."""
    if assignment.role != AssignmentRole.CRP:
        return []
    items = [
        ChecklistItem(
            client_id=assignment.client_id,
            assignment=assignment,
            phase=phase,
            text=text,
            due_date=assignment.start_date + datetime.timedelta(days=days),
        )
        for phase, days, text in ONBOARDING_STEPS
    ]
    return ChecklistItem.objects.bulk_create(items, ignore_conflicts=True)


def _current_crp(client: Client) -> User | None:
    assignment = (
        Assignment.objects.select_related("user")
        .filter(client=client, role=AssignmentRole.CRP, end_date__isnull=True)
        .first()
    )
    return assignment.user if assignment else None


def _check_transition(transition: Transition) -> None:
    require_active_person(transition.incoming, "incoming")
    current = _current_crp(transition.client)
    if current is not None and transition.incoming_id == current.pk:
        raise ValidationError({"incoming": f"{current} is already the CRP."})
    if transition.overlap_start and transition.overlap_end and transition.overlap_end < transition.overlap_start:
        raise ValidationError({"overlap_end": "The overlap cannot end before it starts."})


def transition_create(*, actor: User, client: Client, incoming: User, **fields: Any) -> Transition:
    """Plan a handover from the current CRP to `incoming`, with a knowledge-transfer checklist."""
    require(may_plan_transition(actor, client), TEAM_REFUSED)
    if Transition.objects.filter(client=client, status__in=OPEN_TRANSITION_STATUSES).exists():
        raise ValidationError({"incoming": "This client already has a transition under way."})
    transition = Transition(client=client, incoming=incoming, outgoing=_current_crp(client), **fields)
    _check_transition(transition)
    with planning_write(actor):
        create(actor, transition)
        ChecklistItem.objects.bulk_create(
            [
                ChecklistItem(
                    client=client,
                    transition=transition,
                    phase=ChecklistPhase.HANDOVER,
                    text=text,
                    due_date=transition.overlap_end,
                )
                for text in HANDOVER_STEPS
            ]
        )
    return transition


def transition_update(*, actor: User, transition: Transition, expected_version: int, **changes: Any) -> Transition:
    require(may_plan_transition(actor, transition.client), TEAM_REFUSED)
    if transition.status not in OPEN_TRANSITION_STATUSES:
        raise ValidationError({"status": "A completed or cancelled transition cannot be changed."})
    if changes.get("status") == TransitionStatus.COMPLETED:
        raise ValidationError({"status": "Complete a transition with “Complete handover”."})
    for name, value in changes.items():
        setattr(transition, name, value)
    _check_transition(transition)
    return update(actor, transition, expected_version, changes, [*Transition.EDITABLE_FIELDS, "status"])


def transition_complete(
    *,
    actor: User,
    transition: Transition,
    expected_version: int,
    on_date: datetime.date | None = None,
) -> Transition:
    """Close the transition and hand the CRP role over, all in one transaction."""
    require(may_hand_over_crp(actor, transition.client), CRP_REFUSED)
    if transition.status not in OPEN_TRANSITION_STATUSES:
        raise ValidationError({"status": "This transition is already closed."})
    if transition.consent_required and transition.consent_received_on is None:
        raise ValidationError({"consent_received_on": "The client's consent is required and not yet recorded."})
    _check_transition(transition)
    on_date = on_date or timezone.localdate()
    with planning_write(actor):
        update(
            actor,
            transition,
            expected_version,
            {"status": TransitionStatus.COMPLETED, "completed_on": on_date},
            ["status", "completed_on"],
        )
        account_services.crp_handover(
            actor=actor, client=transition.client, new_crp=transition.incoming, on_date=on_date
        )
    return transition


def transition_cancel(*, actor: User, transition: Transition, expected_version: int) -> Transition:
    require(may_plan_transition(actor, transition.client), TEAM_REFUSED)
    if transition.status not in OPEN_TRANSITION_STATUSES:
        raise ValidationError({"status": "This transition is already closed."})
    return update(actor, transition, expected_version, {"status": TransitionStatus.CANCELLED}, ["status"])


def transition_hand_over_now(
    *,
    actor: User,
    client: Client,
    incoming: User,
    reason: str,
    on_date: datetime.date | None = None,
    consent_required: bool = True,
    consent_received_on: datetime.date | None = None,
    notes: str = "",
) -> Transition:
    """The client page's quick handover: a transition recorded and completed on one day.

    The same decision as planning a transition and completing it (a managing partner's, with its
    reason and the client's consent on record), only without an overlap period.
    """
    require(may_hand_over_crp(actor, client), CRP_REFUSED)
    on_date = on_date or timezone.localdate()
    with planning_write(actor):
        transition = transition_create(
            actor=actor,
            client=client,
            incoming=incoming,
            reason=reason,
            overlap_start=on_date,
            overlap_end=on_date,
            consent_required=consent_required,
            consent_received_on=consent_received_on,
            notes=notes,
        )
        transition_complete(actor=actor, transition=transition, expected_version=transition.version, on_date=on_date)
    return transition
