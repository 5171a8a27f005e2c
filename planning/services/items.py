"""Objectives, actions, opportunities, risks, client reviews, panels and guidelines."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Client, User
from accounts.services import require_firm_people, require_firm_person
from planning.models import (
    AccountPlan,
    Action,
    ActionStatus,
    ChecklistItem,
    ClientReview,
    Guideline,
    Objective,
    Opportunity,
    PanelAppointment,
    Risk,
)
from planning.services.base import create, delete, update


def _check_objective_in_plan(objective: Objective | None, plan_id: int) -> None:
    if objective is not None and objective.plan_id != plan_id:
        raise ValidationError({"objective": "Choose an objective of this plan."})


def _check_stakeholders(stakeholders: Iterable[Any] | None, client_id: int) -> None:
    if stakeholders is not None and any(s.client_id != client_id for s in stakeholders):
        raise ValidationError({"stakeholders": "Choose stakeholders of this client."})


# --- objectives ------------------------------------------------------------------------------


def objective_create(*, actor: User, plan: AccountPlan, **fields: Any) -> Objective:
    return create(actor, Objective(plan=plan, **fields))


def objective_update(*, actor: User, objective: Objective, expected_version: int, **changes: Any) -> Objective:
    return update(actor, objective, expected_version, changes, Objective.EDITABLE_FIELDS)


def objective_delete(*, actor: User, objective: Objective, expected_version: int) -> None:
    delete(actor, objective, expected_version)


# --- actions ---------------------------------------------------------------------------------


def action_create(
    *,
    actor: User,
    plan: AccountPlan,
    owner: User,
    stakeholders: Iterable[Any] | None = None,
    **fields: Any,
) -> Action:
    require_firm_person(owner, plan.client, "owner")
    _check_objective_in_plan(fields.get("objective"), plan.pk)
    _check_stakeholders(stakeholders, plan.client_id)
    action = Action(plan=plan, owner=owner, **fields)
    _stamp_completion(action)
    return create(actor, action, {"stakeholders": stakeholders} if stakeholders is not None else None)


def action_update(
    *,
    actor: User,
    action: Action,
    expected_version: int,
    stakeholders: Iterable[Any] | None = None,
    **changes: Any,
) -> Action:
    if "owner" in changes:
        require_firm_person(changes["owner"], action.plan.client, "owner")
    _check_objective_in_plan(changes.get("objective"), action.plan_id)
    stakeholders = list(stakeholders) if stakeholders is not None else None
    _check_stakeholders(stakeholders, action.plan.client_id)
    if "status" in changes:
        action.status = changes["status"]
        _stamp_completion(action)
        changes["completed_on"] = action.completed_on
    return update(
        actor,
        action,
        expected_version,
        changes,
        [*Action.EDITABLE_FIELDS, "completed_on"],
        {"stakeholders": stakeholders} if stakeholders is not None else None,
    )


def action_mark_done(
    *, actor: User, action: Action, expected_version: int, on_date: datetime.date | None = None
) -> Action:
    """The one way an action is completed: from the plan page, the API or a partner's home."""
    if action.status != ActionStatus.OPEN and action.version == expected_version:
        raise ValidationError({"status": "This action is no longer open."})
    return update(
        actor,
        action,
        expected_version,
        {"status": ActionStatus.DONE, "completed_on": on_date or timezone.localdate()},
        ["status", "completed_on"],
    )


def action_delete(*, actor: User, action: Action, expected_version: int) -> None:
    delete(actor, action, expected_version)


def _stamp_completion(action: Action) -> None:
    if action.status == ActionStatus.DONE:
        action.completed_on = action.completed_on or timezone.localdate()
    else:
        action.completed_on = None


# --- opportunities ---------------------------------------------------------------------------


def opportunity_create(*, actor: User, client: Client, **fields: Any) -> Opportunity:
    require_firm_person(fields.get("owner"), client, "owner", required=False)
    return create(actor, Opportunity(client=client, **fields))


def opportunity_update(*, actor: User, opportunity: Opportunity, expected_version: int, **changes: Any) -> Opportunity:
    if changes.get("owner") is not None:
        require_firm_person(changes["owner"], opportunity.client, "owner")
    return update(actor, opportunity, expected_version, changes, Opportunity.EDITABLE_FIELDS)


def opportunity_delete(*, actor: User, opportunity: Opportunity, expected_version: int) -> None:
    delete(actor, opportunity, expected_version)


# --- risks -----------------------------------------------------------------------------------


def risk_create(*, actor: User, client: Client, **fields: Any) -> Risk:
    require_firm_person(fields.get("owner"), client, "owner", required=False)
    return create(actor, Risk(client=client, **fields))


def risk_update(*, actor: User, risk: Risk, expected_version: int, **changes: Any) -> Risk:
    if changes.get("owner") is not None:
        require_firm_person(changes["owner"], risk.client, "owner")
    return update(actor, risk, expected_version, changes, Risk.EDITABLE_FIELDS)


def risk_delete(*, actor: User, risk: Risk, expected_version: int) -> None:
    delete(actor, risk, expected_version)


# --- client reviews --------------------------------------------------------------------------


def review_create(
    *,
    actor: User,
    client: Client,
    firm_attendees: Iterable[User] = (),
    client_attendees: Iterable[Any] = (),
    **fields: Any,
) -> ClientReview:
    client_attendees = list(client_attendees)
    firm_attendees = list(firm_attendees)
    require_firm_people(firm_attendees, client, "firm_attendees")
    _check_stakeholders(client_attendees, client.pk)
    review = ClientReview(client=client, **fields)
    _check_review_dates(review)
    return create(
        actor,
        review,
        {"firm_attendees": firm_attendees, "client_attendees": client_attendees},
    )


def review_update(
    *,
    actor: User,
    review: ClientReview,
    expected_version: int,
    firm_attendees: Iterable[User] | None = None,
    client_attendees: Iterable[Any] | None = None,
    **changes: Any,
) -> ClientReview:
    m2m = {}
    if firm_attendees is not None:
        m2m["firm_attendees"] = list(firm_attendees)
        require_firm_people(m2m["firm_attendees"], review.client, "firm_attendees")
    if client_attendees is not None:
        m2m["client_attendees"] = list(client_attendees)
        _check_stakeholders(m2m["client_attendees"], review.client_id)
    for name, value in changes.items():
        setattr(review, name, value)
    _check_review_dates(review)
    return update(actor, review, expected_version, changes, ClientReview.EDITABLE_FIELDS, m2m)


def _check_review_dates(review: ClientReview) -> None:
    if review.held_date and review.held_date > timezone.localdate():
        raise ValidationError({"held_date": "A review cannot have been held in the future."})
    if review.rating is not None and review.held_date is None:
        raise ValidationError({"rating": "A review is rated once it has been held: give the day it was held."})


def review_delete(*, actor: User, review: ClientReview, expected_version: int) -> None:
    delete(actor, review, expected_version)


# --- panels, tenders and guidelines ----------------------------------------------------------


def panel_create(*, actor: User, client: Client, **fields: Any) -> PanelAppointment:
    panel = PanelAppointment(client=client, **fields)
    _check_panel_dates(panel)
    return create(actor, panel)


def panel_update(*, actor: User, panel: PanelAppointment, expected_version: int, **changes: Any) -> PanelAppointment:
    for name, value in changes.items():
        setattr(panel, name, value)
    _check_panel_dates(panel)
    return update(actor, panel, expected_version, changes, PanelAppointment.EDITABLE_FIELDS)


def _check_panel_dates(panel: PanelAppointment) -> None:
    if panel.appointed_on and panel.retender_on and panel.retender_on < panel.appointed_on:
        raise ValidationError({"retender_on": "The re-tender cannot come before the appointment."})


def panel_delete(*, actor: User, panel: PanelAppointment, expected_version: int) -> None:
    delete(actor, panel, expected_version)


def guideline_create(*, actor: User, client: Client, **fields: Any) -> Guideline:
    return create(actor, Guideline(client=client, **fields))


def guideline_update(*, actor: User, guideline: Guideline, expected_version: int, **changes: Any) -> Guideline:
    return update(actor, guideline, expected_version, changes, Guideline.EDITABLE_FIELDS)


def guideline_delete(*, actor: User, guideline: Guideline, expected_version: int) -> None:
    delete(actor, guideline, expected_version)


# --- checklists (onboarding and knowledge transfer) ------------------------------------------


def checklist_item_create(*, actor: User, client: Client, **fields: Any) -> ChecklistItem:
    return create(actor, ChecklistItem(client=client, **fields))


def checklist_item_update(*, actor: User, item: ChecklistItem, expected_version: int, **changes: Any) -> ChecklistItem:
    return update(actor, item, expected_version, changes, ChecklistItem.EDITABLE_FIELDS)


def checklist_item_delete(*, actor: User, item: ChecklistItem, expected_version: int) -> None:
    delete(actor, item, expected_version)
