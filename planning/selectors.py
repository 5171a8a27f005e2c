"""Reads for plan pages, My actions, pipeline, heat-maps and review cadence: constant queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from pghistory.models import MiddlewareEvents

from accounts.access import editable_clients, visible, visible_clients
from accounts.models import Assignment, AssignmentRole, Client, ClientStatus, User
from planning.models import (
    OPEN_STAGES,
    OPEN_TRANSITION_STATUSES,
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
    RiskStatus,
    Transition,
)

RETENDER_WARNING_DAYS = 90
UPCOMING_DATE_DAYS = 180
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


def plans_of_client(*, user: User, client: Client) -> QuerySet[AccountPlan]:
    return visible(user, AccountPlan.objects.filter(client=client)).order_by("-year")


def plan_for_page(*, user: User, pk: object) -> AccountPlan | None:
    """The plan if `user` may see it, with its client and whether `user` may edit it: one query."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        visible(user, AccountPlan.objects.select_related("client__tier"))
        .annotate(editable=Exists(editable_clients(user).filter(pk=OuterRef("client_id"))))
        .filter(pk=pk)
        .first()
    )


def actions_with_names(queryset: QuerySet[Action], related: bool = True) -> QuerySet[Action]:
    if related:
        queryset = queryset.select_related("owner", "objective")
    return queryset.annotate(
        stakeholder_names=ArrayAgg(
            "stakeholders__name",
            distinct=True,
            filter=Q(stakeholders__isnull=False),
            default=Value([]),
        ),
        is_overdue=_overdue_expression(),
    )


def _overdue_expression() -> Case:
    return Case(
        When(status=ActionStatus.OPEN, due_date__lt=timezone.localdate(), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def reviews_with_names(queryset: QuerySet[ClientReview]) -> QuerySet[ClientReview]:
    return queryset.annotate(
        firm_names=ArrayAgg(
            "firm_attendees__full_name",
            distinct=True,
            filter=Q(firm_attendees__isnull=False),
            default=Value([]),
        ),
        client_names=ArrayAgg(
            "client_attendees__name",
            distinct=True,
            filter=Q(client_attendees__isnull=False),
            default=Value([]),
        ),
    )


@dataclass
class HeatMap:
    """Counts of open risks per likelihood (rows, 5 at the top) by impact (columns 1-5)."""

    rows: list[tuple[int, list[tuple[int, int, str]]]]

    @classmethod
    def of(cls, risks: list[Risk]) -> HeatMap:
        counts: dict[tuple[int, int], int] = {}
        for risk in risks:
            if risk.status == RiskStatus.OPEN:
                counts[(risk.likelihood, risk.impact)] = (
                    counts.get((risk.likelihood, risk.impact), 0) + 1
                )
        rows = []
        for likelihood in range(5, 0, -1):
            cells = []
            for impact in range(1, 6):
                severity = likelihood * impact
                band = "red" if severity >= 15 else "amber" if severity >= 6 else "green"
                cells.append((impact, counts.get((likelihood, impact), 0), band))
            rows.append((likelihood, cells))
        return cls(rows=rows)


@dataclass
class Pipeline:
    open_count: int = 0
    total: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)
    sourced_weighted: Decimal = Decimal(0)
    influenced_weighted: Decimal = Decimal(0)
    won: Decimal = Decimal(0)

    @classmethod
    def of(cls, opportunities: list[Opportunity]) -> Pipeline:
        pipeline = cls()
        for opportunity in opportunities:
            if opportunity.stage in OPEN_STAGES:
                pipeline.open_count += 1
                pipeline.total += opportunity.estimated_fees
                pipeline.weighted += opportunity.weighted_value
                if opportunity.origin == "sourced":
                    pipeline.sourced_weighted += opportunity.weighted_value
                else:
                    pipeline.influenced_weighted += opportunity.weighted_value
            elif opportunity.stage == "won":
                pipeline.won += opportunity.estimated_fees
        return pipeline


@dataclass
class UpcomingDate:
    date: datetime.date
    label: str
    client: Client | None = None
    warning: bool = False


def upcoming_panel_dates(
    panels: list[PanelAppointment],
    today: datetime.date | None = None,
    horizon_days: int = UPCOMING_DATE_DAYS,
) -> list[UpcomingDate]:
    """Re-tenders and rate reviews coming up; a re-tender within 90 days is a warning."""
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=horizon_days)
    dates = []
    for panel in panels:
        client = panel.client if "client" in panel._state.fields_cache else None
        if panel.retender_on and today <= panel.retender_on <= until:
            warning = panel.retender_on <= today + datetime.timedelta(days=RETENDER_WARNING_DAYS)
            dates.append(
                UpcomingDate(panel.retender_on, f"Re-tender of {panel.panel_name}", client, warning)
            )
        if panel.rate_review_on and today <= panel.rate_review_on <= until:
            dates.append(
                UpcomingDate(panel.rate_review_on, f"Rate review for {panel.panel_name}", client)
            )
    return sorted(dates, key=lambda item: item.date)


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

    @property
    def open_transition(self) -> Transition | None:
        return next((t for t in self.transitions if t.status in OPEN_TRANSITION_STATUSES), None)


def review_due(
    client: Client, reviews: list[ClientReview], today: datetime.date | None = None
) -> tuple[datetime.date | None, bool]:
    """When the next review is due by the client's cadence, and whether that day has passed."""
    today = today or timezone.localdate()
    held = [review.held_date for review in reviews if review.held_date]
    if not held:
        return None, client.status == ClientStatus.ACTIVE
    due = max(held) + datetime.timedelta(days=client.review_cadence_days)
    return due, due < today and client.status == ClientStatus.ACTIVE


def _of_client(rows: QuerySet, client: Client) -> list:
    """The rows, each pointing at the already-loaded client (no query per row for its name)."""
    rows = list(rows)
    for row in rows:
        row.client = client
    return rows


def plan_page(*, plan: AccountPlan) -> PlanPage:
    """Everything the plan page shows, in a fixed number of queries whatever the plan's size."""
    client_id = plan.client_id
    current_crp = Assignment.objects.filter(
        client_id=client_id, role=AssignmentRole.CRP, end_date__isnull=True
    )
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
        reviews=_of_client(
            reviews_with_names(ClientReview.objects.filter(client_id=client_id)), plan.client
        ),
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
        transitions=list(
            Transition.objects.filter(client_id=client_id).select_related("incoming", "outgoing")
        ),
    )


def _attach_people_and_objectives(rows: list, objectives: list[Objective]) -> None:
    """Owners in one query and objectives from the list already loaded.

    A plan's hundreds of rows share a handful of owners: joining them per row built hundreds of
    identical User objects, which cost more than the extra query.
    """
    owner_ids = {row.owner_id for row in rows if row.owner_id}
    owners = {
        user.pk: user for user in User.objects.filter(pk__in=owner_ids).only("id", "full_name")
    }
    by_id = {objective.pk: objective for objective in objectives}
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


def my_actions(*, user: User) -> QuerySet[Action]:
    """`user`'s open actions on clients they may see, overdue first (then by due date)."""
    return (
        visible(
            user,
            actions_with_names(Action.objects.filter(owner=user, status=ActionStatus.OPEN)),
            "plan__client",
        )
        .select_related("plan__client")
        .order_by("-is_overdue", "due_date", "id")
    )


def my_upcoming_client_dates(*, user: User) -> list[UpcomingDate]:
    """Re-tender and rate-review dates of the clients whose team `user` is on."""
    today = timezone.localdate()
    until = today + datetime.timedelta(days=UPCOMING_DATE_DAYS)
    panels = (
        PanelAppointment.objects.filter(client__in=Client.objects.on_team_of(user).values("pk"))
        .filter(Q(retender_on__range=(today, until)) | Q(rate_review_on__range=(today, until)))
        .select_related("client")
    )
    return upcoming_panel_dates(list(panels), today)


def pipeline_by_client(*, user: User) -> QuerySet[Client]:
    """Visible clients with open pipeline: unweighted and weighted (fees x probability) totals."""
    money = DecimalField(max_digits=18, decimal_places=2)
    weighted = ExpressionWrapper(
        F("opportunities__estimated_fees") * F("opportunities__probability") / 100,
        output_field=money,
    )
    open_only = Q(opportunities__stage__in=OPEN_STAGES)
    return (
        visible_clients(user)
        .filter(open_only)
        .annotate(
            pipeline=Coalesce(
                Sum("opportunities__estimated_fees", filter=open_only), Value(0), output_field=money
            ),
            weighted_pipeline=Coalesce(
                Sum(weighted, filter=open_only), Value(0), output_field=money
            ),
        )
        .order_by("-weighted_pipeline", "name")
    )


def pipeline_total(*, user: User, mine: bool = False) -> dict[str, Decimal]:
    """Open pipeline over the clients `user` sees (or, with `mine`, whose team they are on)."""
    money = DecimalField(max_digits=18, decimal_places=2)
    opportunities = visible(user, Opportunity.objects.filter(stage__in=OPEN_STAGES))
    if mine:
        opportunities = opportunities.filter(
            client__in=Client.objects.on_team_of(user).values("pk")
        )
    totals = opportunities.aggregate(
        pipeline=Coalesce(Sum("estimated_fees"), Value(0), output_field=money),
        weighted_pipeline=Coalesce(
            Sum(
                ExpressionWrapper(F("estimated_fees") * F("probability") / 100, output_field=money)
            ),
            Value(0),
            output_field=money,
        ),
    )
    return totals


def overdue_reviews(
    *, user: User, today: datetime.date | None = None, mine: bool = False
) -> QuerySet[Client]:
    """Active visible clients whose last held review is older than their cadence (or never held)."""
    today = today or timezone.localdate()
    due_on = ExpressionWrapper(F("last_held") + F("review_cadence_days"), output_field=DateField())
    clients = visible_clients(user).on_team_of(user) if mine else visible_clients(user)
    return (
        clients.filter(status=ClientStatus.ACTIVE)
        .annotate(
            last_held=Max("reviews__held_date"),
            next_planned=Min(
                "reviews__planned_date",
                filter=Q(reviews__held_date__isnull=True, reviews__planned_date__gte=today),
            ),
        )
        .annotate(review_due_on=due_on)
        .filter(Q(last_held__isnull=True) | Q(review_due_on__lt=today))
        .order_by(F("review_due_on").asc(nulls_first=True), "name")
    )


def client_panel(*, client: Client, user: User) -> dict[str, object]:
    """What the client page shows of planning: the plans, pipeline, open risks and next review."""
    money = DecimalField(max_digits=18, decimal_places=2)
    figures = Opportunity.objects.filter(client=client, stage__in=OPEN_STAGES).aggregate(
        weighted=Coalesce(
            Sum(
                ExpressionWrapper(F("estimated_fees") * F("probability") / 100, output_field=money)
            ),
            Value(0),
            output_field=money,
        )
    )
    reviews = list(
        ClientReview.objects.filter(client=client, held_date__isnull=False)
        .only("held_date")
        .order_by("-held_date")[:1]
    )
    due_on, overdue = review_due(client, reviews)
    return {
        "plans": list(AccountPlan.objects.filter(client=client).order_by("-year")),
        "weighted_pipeline": figures["weighted"],
        "open_risks": Risk.objects.filter(client=client, status=RiskStatus.OPEN).count(),
        "review_due_on": due_on,
        "review_overdue": overdue,
        "can_plan": editable_clients(user).filter(pk=client.pk).exists(),
        "next_year": timezone.localdate().year,
    }


def last_change(obj: object) -> dict[str, object] | None:
    """Who last saved `obj`, when, and which fields they changed: for conflict messages."""
    event = (
        MiddlewareEvents.objects.tracks(obj)
        .select_related("user")
        .order_by("-pgh_created_at", "-pgh_id")
        .first()
    )
    if event is None:
        return None
    diff = event.pgh_diff or {}
    return {
        "user": event.user,
        "at": event.pgh_created_at,
        "changes": {k: v for k, v in diff.items() if k not in {"version", "updated_at"}},
    }
