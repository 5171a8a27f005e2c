"""A partner's home page and weekly digest: clients, actions, reviews, alerts, coverage gaps."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from accounts.access import visible
from accounts.models import Client, Notification, User
from accounts.selectors import notifications_of
from planning.models import Action, ActionStatus, ClientReview
from reports.dashboard import selectors
from stakeholders.models import Stakeholder

UPCOMING_ACTION_DAYS = 14
UPCOMING_REVIEW_DAYS = 30
LIST_LIMIT = 25
CLIENT_LIMIT = 50


@dataclass
class PartnerSummary:
    clients: list[dict]
    overdue_actions: list[Action]
    upcoming_actions: list[Action]
    reviews: list[ClientReview]
    alerts: list[Notification]
    gaps: list[Stakeholder]
    today: datetime.date

    @property
    def is_empty(self) -> bool:
        return not (
            self.clients or self.overdue_actions or self.upcoming_actions or self.reviews or self.alerts or self.gaps
        )


def my_clients(user: User) -> list[dict]:
    """My clients, worst band first; only the columns the home page shows are computed."""
    return list(
        selectors.portfolio_base(user)
        .on_team_of(user)
        .order_by(F("band_rank").asc(nulls_last=True), "name")
        .values("pk", "name", "band", "score", "overdue_actions", "next_review")[:CLIENT_LIMIT]
    )


def my_actions(user: User, today: datetime.date) -> list[Action]:
    """Open actions I own that are overdue or due soon, on clients I may still see."""
    actions = (
        Action.objects.filter(
            owner=user,
            status=ActionStatus.OPEN,
            due_date__lte=today + datetime.timedelta(days=UPCOMING_ACTION_DAYS),
        )
        .select_related("plan__client")
        .order_by("due_date", "pk")
    )
    return list(visible(user, actions, "plan__client")[: LIST_LIMIT * 2])


def my_reviews(user: User, today: datetime.date) -> list[ClientReview]:
    """Client reviews on my clients not yet held: overdue ones and those due within a month."""
    reviews = (
        ClientReview.objects.filter(
            held_date__isnull=True,
            planned_date__lte=today + datetime.timedelta(days=UPCOMING_REVIEW_DAYS),
        )
        .filter(client__in=Client.objects.visible_to(user).on_team_of(user).values("pk"))
        .select_related("client")
        .order_by("planned_date", "pk")
    )
    return list(reviews[:LIST_LIMIT])


def my_alerts(user: User) -> list[Notification]:
    return list(notifications_of(user, unread=True)[:LIST_LIMIT])


def my_coverage_gaps(user: User) -> list[Stakeholder]:
    mine = Client.objects.visible_to(user).on_team_of(user).filter(status="active").values("pk")
    return list(
        selectors.coverage_gap_stakeholders()
        .filter(client__in=mine)
        .select_related("client")
        .order_by("client__name", "seniority", "name")[:LIST_LIMIT]
    )


def partner_summary(user: User) -> PartnerSummary:
    today = timezone.localdate()
    actions = my_actions(user, today)
    return PartnerSummary(
        clients=my_clients(user),
        overdue_actions=[a for a in actions if a.due_date < today][:LIST_LIMIT],
        upcoming_actions=[a for a in actions if a.due_date >= today][:LIST_LIMIT],
        reviews=my_reviews(user, today),
        alerts=my_alerts(user),
        gaps=my_coverage_gaps(user),
        today=today,
    )
