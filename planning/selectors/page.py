"""The plan page in a fixed number of queries, its history and conflict details."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Q,
    QuerySet,
    Value,
    When,
)
from pghistory.models import MiddlewareEvents

from accounts.models import Assignment, AssignmentRole, Client, User
from planning.choices import OPEN_TRANSITION_STATUSES
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
    Transition,
)
from planning.selectors.rows import (
    HeatMap,
    Pipeline,
    UpcomingDate,
    actions_with_names,
    review_due,
    reviews_with_names,
    upcoming_panel_dates,
)

PLAN_ROW_HISTORY = ["planning.ObjectiveEvent", "planning.ActionEvent"]
CLIENT_ROW_HISTORY = [
    "planning.AccountPlanEvent",
    "planning.OpportunityEvent",
    "planning.RiskEvent",
    "planning.ClientReviewEvent",
    "planning.TransitionEvent",
    "planning.PanelAppointmentEvent",
    "planning.GuidelineEvent",
    "planning.ChecklistItemEvent",
]


@dataclass
class PlanPage:
    plan: AccountPlan
    objectives: list[Objective]
    actions: list[Action]
    opportunities: list[Opportunity]
    risks: list[Risk]
    reviews: list[ClientReview]
    panels: list[PanelAppointment]
    guidelines: list[Guideline]
    checklist: list[ChecklistItem]
    transitions: list[Transition]
    pipeline: Pipeline = field(init=False)
    heat_map: HeatMap = field(init=False)
    upcoming: list[UpcomingDate] = field(init=False)
    review_due_on: datetime.date | None = field(init=False)
    review_overdue: bool = field(init=False)

    def __post_init__(self) -> None:
        self.pipeline = Pipeline.of(self.opportunities)
        self.heat_map = HeatMap.of(self.risks)
        self.upcoming = upcoming_panel_dates(self.panels)
        self.review_due_on, self.review_overdue = review_due(self.plan.client, self.reviews)


def _of_client(rows: QuerySet, client: Client) -> list:
    """The rows, each pointing at the already-loaded client (no query per row for its name)."""
    loaded = list(rows)
    for row in loaded:
        row.client = client
    return loaded


def plan_page(*, plan: AccountPlan) -> PlanPage:
    """Everything the plan page shows, in a fixed number of queries whatever the plan's size."""
    client_id = plan.client_id
    current_crp = Assignment.objects.filter(client_id=client_id, role=AssignmentRole.CRP, end_date__isnull=True)
    objectives = list(plan.objectives.all())
    actions = list(
        actions_with_names(plan.actions.all(), related=False).order_by(
            Case(When(status=ActionStatus.OPEN, then=Value(0)), default=Value(1)),
            "due_date",
            "id",
        )
    )
    opportunities = list(
        Opportunity.objects.filter(client_id=client_id)
        .select_related("service_line")
        .order_by("stage", "expected_close", "id")
    )
    risks = list(Risk.objects.filter(client_id=client_id))
    _attach_people_and_objectives([*actions, *opportunities, *risks], objectives)
    return PlanPage(
        plan=plan,
        objectives=objectives,
        actions=actions,
        opportunities=opportunities,
        risks=risks,
        reviews=_of_client(reviews_with_names(ClientReview.objects.filter(client_id=client_id)), plan.client),
        panels=list(PanelAppointment.objects.filter(client_id=client_id)),
        guidelines=list(Guideline.objects.filter(client_id=client_id)),
        checklist=list(
            ChecklistItem.objects.filter(client_id=client_id)
            .filter(
                Q(assignment__in=current_crp.values("pk"))
                | Q(transition__status__in=OPEN_TRANSITION_STATUSES)
                | Q(assignment__isnull=True, transition__isnull=True)
            )
            .order_by("transition_id", "due_date", "id")
        ),
        transitions=list(Transition.objects.filter(client_id=client_id).select_related("incoming", "outgoing")),
    )


def _attach_people_and_objectives(rows: list, objectives: list[Objective]) -> None:
    """Owners in one query and objectives from the list already loaded.

    A plan's hundreds of rows share a handful of owners: joining them per row built hundreds of
    identical User objects, which cost more than the extra query.
    """
    owner_ids = {row.owner_id for row in rows if row.owner_id}
    owners: dict[int | None, User] = {
        user.pk: user for user in User.objects.filter(pk__in=owner_ids).only("id", "full_name")
    }
    by_id: dict[int | None, Objective] = {objective.pk: objective for objective in objectives}
    for row in rows:
        row.owner = owners.get(row.owner_id)
        if isinstance(row, Action):
            row.objective = by_id.get(row.objective_id)


def plan_history(*, plan: AccountPlan, limit: int = 100) -> list[MiddlewareEvents]:
    """Who changed what and when on the plan, its rows and the client's planning records."""
    of_plan = (
        MiddlewareEvents.objects.across(*PLAN_ROW_HISTORY)
        .references(plan)
        .select_related("user")
        .order_by("-pgh_created_at")[:limit]
    )
    of_client = (
        MiddlewareEvents.objects.across(*CLIENT_ROW_HISTORY)
        .references(plan.client)
        .select_related("user")
        .order_by("-pgh_created_at")[:limit]
    )
    events = sorted([*of_plan, *of_client], key=lambda event: event.pgh_created_at, reverse=True)
    return events[:limit]


def last_change(obj: object) -> dict[str, object] | None:
    """Who last saved `obj`, when, and which fields they changed: for conflict messages."""
    event = MiddlewareEvents.objects.tracks(obj).select_related("user").order_by("-pgh_created_at", "-pgh_id").first()
    if event is None:
        return None
    diff = event.pgh_diff or {}
    return {
        "user": event.user,
        "at": event.pgh_created_at,
        "changes": {k: v for k, v in diff.items() if k not in {"version", "updated_at"}},
    }
