"""Building blocks of the planning reads: row querysets, pipeline, heat-map, dates, cadence."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from accounts.access import editable_clients, visible
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
)

RETENDER_WARNING_DAYS = 90
UPCOMING_DATE_DAYS = 180


def plans_of_client(*, user: User, client: Client) -> QuerySet[AccountPlan]:
    return visible(user, AccountPlan.objects.filter(client=client)).order_by("-year")


def plan_for_page(*, user: User, pk: int | str) -> AccountPlan | None:
    """The plan if `user` may see it, with its client and whether `user` may edit it: one query."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        visible(user, AccountPlan.objects.select_related("client__tier"))
        .annotate(may_edit=Exists(editable_clients(user).filter(pk=OuterRef("client_id"))))
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
                counts[(risk.likelihood, risk.impact)] = counts.get((risk.likelihood, risk.impact), 0) + 1
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
            dates.append(UpcomingDate(panel.retender_on, f"Re-tender of {panel.panel_name}", client, warning))
        if panel.rate_review_on and today <= panel.rate_review_on <= until:
            dates.append(UpcomingDate(panel.rate_review_on, f"Rate review for {panel.panel_name}", client))
    return sorted(dates, key=lambda item: item.date)


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
