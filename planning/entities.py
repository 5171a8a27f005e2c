"""Each plan entity described once: its model, form, serializer, services and place on the plan page.

The plan page's in-place rows (planning.views.inline) and the planning API (planning.api.views) read
this registry; the editable fields themselves are the model's `EDITABLE_FIELDS`. Adding an entity:
a model with `EDITABLE_FIELDS`, a form, a serializer, `<name>_create/_update/_delete` services, an
entry here, then a ViewSet naming the entry and, for a plan-page section, a `<section>-row` partial.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django import forms
from django.db import models
from rest_framework import serializers

from accounts.access import TEAM_REFUSED, may_plan_transition
from accounts.models import Client, User
from planning import forms as plan_forms
from planning import selectors, services
from planning.api import serializers as plan_serializers
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

RowsQuery = Callable[[models.QuerySet], models.QuerySet]


def _as_is(rows: models.QuerySet) -> models.QuerySet:
    return rows


@dataclass(frozen=True)
class Entity:
    name: str  # e.g. "risk": its services are risk_create / risk_update / risk_delete
    label: str  # what a person calls one, in messages and headings
    model: type[models.Model]
    form: type[forms.ModelForm]
    serializer: type[serializers.ModelSerializer]
    create: Callable[..., models.Model]
    update: Callable[..., models.Model]
    delete: Callable[..., None] | None  # None: never deleted (archived or cancelled instead)
    record: str = ""  # the keyword its services take a row by, when not `name`
    scope: Literal["plan", "client"] = "client"  # what a new row belongs to: the plan or its client
    section: str = ""  # its plan-page section (URL segment and `<section>-row` partial); "" for none
    columns: int = 0  # table columns of that section, for the in-place form's colspan
    refreshes: str = ""  # a plan-page partial to redraw alongside a changed row (out of band)
    may_change: Callable[[User, Client], bool] | None = None  # a gate beyond editing the plan
    refused: str = ""  # the message when that gate refuses
    tune_rows: RowsQuery = _as_is  # joins and names its section's rows need

    @property
    def fields(self) -> list[str]:
        return self.model.EDITABLE_FIELDS  # type: ignore[attr-defined]  # every plan model declares it; Model does not

    @property
    def keyword(self) -> str:
        return self.record or self.name

    def owner(self, plan: AccountPlan) -> dict[str, Any]:
        """What a new row is created under: the plan itself, or the plan's client."""
        return {"plan": plan} if self.scope == "plan" else {"client": plan.client}

    def rows(self, plan: AccountPlan) -> models.QuerySet:
        """This entity's rows on `plan`'s page."""
        scoped = {"plan": plan} if self.scope == "plan" else {"client_id": plan.client_id}
        # `objects` exists on each concrete plan model, not on the Model base this field is typed as
        return self.tune_rows(self.model.objects.filter(**scoped))  # type: ignore[attr-defined]

    def create_on(self, actor: User, plan: AccountPlan, data: dict[str, Any]) -> models.Model:
        return self.create(actor=actor, **self.owner(plan), **data)

    def update_row(self, actor: User, row: models.Model, expected_version: int, data: dict[str, Any]) -> models.Model:
        return self.update(actor=actor, **{self.keyword: row}, expected_version=expected_version, **data)

    def delete_row(self, actor: User, row: models.Model, expected_version: int) -> None:
        if self.delete is None:
            raise TypeError(f"A {self.label} is never deleted.")
        self.delete(actor=actor, **{self.keyword: row}, expected_version=expected_version)


ENTITIES: dict[str, Entity] = {
    entity.name: entity
    for entity in [
        Entity(
            name="plan",
            label="plan",
            model=AccountPlan,
            form=plan_forms.PlanForm,
            serializer=plan_serializers.PlanSerializer,
            create=services.plan_create,
            update=services.plan_update,
            delete=None,
        ),
        Entity(
            name="objective",
            label="objective",
            model=Objective,
            form=plan_forms.ObjectiveForm,
            serializer=plan_serializers.ObjectiveSerializer,
            create=services.objective_create,
            update=services.objective_update,
            delete=services.objective_delete,
            scope="plan",
            section="objective",
            columns=5,
        ),
        Entity(
            name="action",
            label="action",
            model=Action,
            form=plan_forms.ActionForm,
            serializer=plan_serializers.ActionSerializer,
            create=services.action_create,
            update=services.action_update,
            delete=services.action_delete,
            scope="plan",
            section="action",
            columns=6,
            tune_rows=selectors.actions_with_names,
        ),
        Entity(
            name="opportunity",
            label="opportunity",
            model=Opportunity,
            form=plan_forms.OpportunityForm,
            serializer=plan_serializers.OpportunitySerializer,
            create=services.opportunity_create,
            update=services.opportunity_update,
            delete=services.opportunity_delete,
            section="opportunity",
            columns=7,
            refreshes="pipeline",
            tune_rows=lambda rows: rows.select_related("service_line", "owner"),
        ),
        Entity(
            name="risk",
            label="risk",
            model=Risk,
            form=plan_forms.RiskForm,
            serializer=plan_serializers.RiskSerializer,
            create=services.risk_create,
            update=services.risk_update,
            delete=services.risk_delete,
            section="risk",
            columns=6,
            refreshes="heat-map",
        ),
        Entity(
            name="review",
            label="client review",
            model=ClientReview,
            form=plan_forms.ReviewForm,
            serializer=plan_serializers.ReviewSerializer,
            create=services.review_create,
            update=services.review_update,
            delete=services.review_delete,
            section="review",
            columns=5,
            tune_rows=selectors.reviews_with_names,
        ),
        Entity(
            name="transition",
            label="CRP transition",
            model=Transition,
            form=plan_forms.TransitionForm,
            serializer=plan_serializers.TransitionSerializer,
            create=services.transition_create,
            update=services.transition_update,
            delete=None,
            section="transition",
            columns=6,
            may_change=may_plan_transition,
            refused=TEAM_REFUSED,
            tune_rows=lambda rows: rows.select_related("incoming", "outgoing"),
        ),
        Entity(
            name="panel",
            label="panel appointment",
            model=PanelAppointment,
            form=plan_forms.PanelForm,
            serializer=plan_serializers.PanelSerializer,
            create=services.panel_create,
            update=services.panel_update,
            delete=services.panel_delete,
            section="panel",
            columns=5,
        ),
        Entity(
            name="guideline",
            label="guideline",
            model=Guideline,
            form=plan_forms.GuidelineForm,
            serializer=plan_serializers.GuidelineSerializer,
            create=services.guideline_create,
            update=services.guideline_update,
            delete=services.guideline_delete,
            section="guideline",
            columns=3,
        ),
        Entity(
            name="checklist_item",
            label="checklist step",
            model=ChecklistItem,
            form=plan_forms.ChecklistItemForm,
            serializer=plan_serializers.ChecklistItemSerializer,
            create=services.checklist_item_create,
            update=services.checklist_item_update,
            delete=services.checklist_item_delete,
            record="item",
            section="checklist",
            columns=4,
        ),
    ]
}

# The plan page's editable sections, by URL segment.
SECTIONS: dict[str, Entity] = {entity.section: entity for entity in ENTITIES.values() if entity.section}
