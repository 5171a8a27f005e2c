"""Records editable in place on the plan page: how each is found, created, saved and deleted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models

from accounts.access import TEAM_REFUSED, may_plan_transition
from accounts.models import Client, User
from planning import forms as plan_forms
from planning import selectors, services
from planning.models import (
    AccountPlan,
    Action,
    ChecklistItem,
    ClientReview,
    Guideline,
    Objective,
    Opportunity,
    PanelAppointment,
    Risk,
    Transition,
)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    model: type[models.Model]
    form: type[forms.ModelForm]
    scope: str  # "plan": rows belong to the plan; "client": rows belong to the plan's client
    columns: int
    create: Callable[..., models.Model]
    update: Callable[..., models.Model]
    delete: Callable[..., None]
    refreshes: str = ""  # a plan-page partial to refresh alongside the row (out of band)
    may_change: Callable[[User, Client], bool] | None = None  # a gate beyond editing the plan
    refused: str = ""

    def queryset(self, plan: AccountPlan) -> models.QuerySet:
        base = self.model.objects.filter(
            **({"plan": plan} if self.scope == "plan" else {"client_id": plan.client_id})
        )
        if self.model is Action:
            return selectors.actions_with_names(base)
        if self.model is ClientReview:
            return selectors.reviews_with_names(base)
        if self.model is Transition:
            return base.select_related("incoming", "outgoing")
        if self.model is Opportunity:
            return base.select_related("service_line", "owner")
        return base

    def owner_kwargs(self, plan: AccountPlan) -> dict[str, Any]:
        return {"plan": plan} if self.scope == "plan" else {"client": plan.client}


def _kind(
    name: str,
    label: str,
    model,
    form,
    scope: str,
    columns: int,
    arg: str,
    prefix: str,
    refreshes: str = "",
    may_change: Callable[[User, Client], bool] | None = None,
    refused: str = "",
) -> Kind:
    create = getattr(services, f"{prefix}_create")
    update = getattr(services, f"{prefix}_update")
    delete = getattr(services, f"{prefix}_delete", None)
    return Kind(
        name=name,
        label=label,
        model=model,
        form=form,
        scope=scope,
        columns=columns,
        refreshes=refreshes,
        may_change=may_change,
        refused=refused,
        create=lambda actor, plan, data: create(
            actor=actor, **({"plan": plan} if scope == "plan" else {"client": plan.client}), **data
        ),
        update=lambda actor, obj, version, data: update(
            actor=actor, **{arg: obj}, expected_version=version, **data
        ),
        delete=(
            lambda actor, obj, version: delete(actor=actor, **{arg: obj}, expected_version=version)
        )
        if delete
        else None,
    )


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in [
        _kind(
            "objective",
            "objective",
            Objective,
            plan_forms.ObjectiveForm,
            "plan",
            5,
            "objective",
            "objective",
        ),
        _kind("action", "action", Action, plan_forms.ActionForm, "plan", 6, "action", "action"),
        _kind(
            "opportunity",
            "opportunity",
            Opportunity,
            plan_forms.OpportunityForm,
            "client",
            7,
            "opportunity",
            "opportunity",
            refreshes="pipeline",
        ),
        _kind(
            "risk",
            "risk",
            Risk,
            plan_forms.RiskForm,
            "client",
            6,
            "risk",
            "risk",
            refreshes="heat-map",
        ),
        _kind(
            "review",
            "client review",
            ClientReview,
            plan_forms.ReviewForm,
            "client",
            5,
            "review",
            "review",
        ),
        _kind(
            "panel",
            "panel appointment",
            PanelAppointment,
            plan_forms.PanelForm,
            "client",
            5,
            "panel",
            "panel",
        ),
        _kind(
            "guideline",
            "guideline",
            Guideline,
            plan_forms.GuidelineForm,
            "client",
            3,
            "guideline",
            "guideline",
        ),
        _kind(
            "checklist",
            "checklist step",
            ChecklistItem,
            plan_forms.ChecklistItemForm,
            "client",
            4,
            "item",
            "checklist_item",
        ),
        _kind(
            "transition",
            "CRP transition",
            Transition,
            plan_forms.TransitionForm,
            "client",
            6,
            "transition",
            "transition",
            may_change=may_plan_transition,
            refused=TEAM_REFUSED,
        ),
    ]
}
