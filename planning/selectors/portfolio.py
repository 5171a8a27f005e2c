"""Reads across a person's clients: My actions, pipeline totals, overdue reviews, client panel."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import may_edit_client, visible, visible_clients
from accounts.models import Client, ClientStatus, User
from planning.choices import OPEN_STAGES
from planning.models import (
    AccountPlan,
    Action,
    ActionStatus,
    ClientReview,
    Opportunity,
    PanelAppointment,
    Risk,
    RiskStatus,
    weighted_fees,
)
from planning.selectors.rows import (
    UPCOMING_DATE_DAYS,
    UpcomingDate,
    actions_with_names,
    review_due,
    upcoming_panel_dates,
)


def my_actions(*, user: User) -> QuerySet[Action]:
    """`user`'s open actions on clients they may see, overdue first (then by due date)."""
    return (
        visible(
            user,
            actions_with_names(Action.objects.filter(owner=user, status=ActionStatus.OPEN)),
            "plan__client",
        )
        .select_related("plan__client")
        # `is_overdue` is annotated by actions_with_names, out of the plugin's sight
        .order_by("-is_overdue", "due_date", "id")  # type: ignore[misc]
    )


def my_planned_reviews(*, user: User) -> QuerySet[ClientReview]:
    """Client reviews not yet held that `user` attends, on clients they may see."""
    return (
        visible(user, ClientReview.objects.filter(firm_attendees=user, held_date__isnull=True))
        .select_related("client")
        .order_by("planned_date", "id")
    )


def my_upcoming_client_dates(*, user: User) -> list[UpcomingDate]:
    """Re-tender and rate-review dates of the clients whose team `user` is on."""
    today = timezone.localdate()
    until = today + datetime.timedelta(days=UPCOMING_DATE_DAYS)
    panels = (
        PanelAppointment.objects.filter(client__in=visible_clients(user).on_team_of(user).values("pk"))
        .filter(Q(retender_on__range=(today, until)) | Q(rate_review_on__range=(today, until)))
        .select_related("client")
    )
    return upcoming_panel_dates(list(panels), today)


def pipeline_by_client(*, user: User) -> QuerySet[Client]:
    """Visible clients with open pipeline: unweighted and weighted (fees x probability) totals."""
    money = DecimalField(max_digits=18, decimal_places=2)
    weighted = weighted_fees("opportunities__")
    open_only = Q(opportunities__stage__in=OPEN_STAGES)
    return (
        visible_clients(user)
        .filter(open_only)
        .annotate(
            pipeline=Coalesce(Sum("opportunities__estimated_fees", filter=open_only), Value(0), output_field=money),
            weighted_pipeline=Coalesce(Sum(weighted, filter=open_only), Value(0), output_field=money),
        )
        .order_by("-weighted_pipeline", "name")
    )


def pipeline_total(*, user: User, mine: bool = False) -> dict[str, Decimal]:
    """Open pipeline over the clients `user` sees (or, with `mine`, whose team they are on)."""
    money = DecimalField(max_digits=18, decimal_places=2)
    opportunities = visible(user, Opportunity.objects.filter(stage__in=OPEN_STAGES))
    if mine:
        opportunities = opportunities.filter(client__in=visible_clients(user).on_team_of(user).values("pk"))
    totals = opportunities.aggregate(
        pipeline=Coalesce(Sum("estimated_fees"), Value(0), output_field=money),
        weighted_pipeline=Coalesce(
            Sum(weighted_fees()),
            Value(0),
            output_field=money,
        ),
    )
    return totals


def overdue_reviews(*, user: User, today: datetime.date | None = None, mine: bool = False) -> QuerySet[Client]:
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


def plans_of(client: Client) -> list[AccountPlan]:
    """The client's plans, newest year first; read once per loaded client and shared by every panel."""
    if "_plans" not in client.__dict__:
        client.__dict__["_plans"] = list(AccountPlan.objects.filter(client=client).order_by("-year"))
    return client.__dict__["_plans"]


def client_panel(*, client: Client, user: User) -> dict[str, object]:
    """What the client page shows of planning: the plans, pipeline, open risks and next review."""
    money = DecimalField(max_digits=18, decimal_places=2)
    mine = {"client": OuterRef("pk")}
    figures = (
        Client.objects.filter(pk=client.pk)
        .annotate(
            weighted=Coalesce(
                Subquery(
                    Opportunity.objects.filter(**mine, stage__in=OPEN_STAGES)
                    .values("client")
                    .annotate(total=Sum(weighted_fees()))
                    .values("total"),
                    output_field=money,
                ),
                Value(0),
                output_field=money,
            ),
            open_risks=Coalesce(
                Subquery(
                    Risk.objects.filter(**mine, status=RiskStatus.OPEN)
                    .values("client")
                    .annotate(count=Count("pk"))
                    .values("count")
                ),
                Value(0),
            ),
            last_review=Subquery(
                ClientReview.objects.filter(**mine, held_date__isnull=False)
                .order_by("-held_date")
                .values("held_date")[:1]
            ),
        )
        .values("weighted", "open_risks", "last_review")
        .get()
    )
    held = [ClientReview(held_date=figures["last_review"])] if figures["last_review"] else []
    due_on, overdue = review_due(client, held)
    return {
        "plans": plans_of(client),
        "weighted_pipeline": figures["weighted"],
        "open_risks": figures["open_risks"],
        "review_due_on": due_on,
        "review_overdue": overdue,
        "may_plan": may_edit_client(user, client),
        "next_year": timezone.localdate().year,
    }
