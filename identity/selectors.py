"""Reads of the identity app: the leavers list and a person's sessions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.access import visible
from accounts.models import Assignment, User
from identity.models import UserSession
from planning.choices import ActionStatus
from planning.models import Action


@dataclass(frozen=True)
class Leavers:
    roles: QuerySet[Assignment]
    actions: QuerySet[Action]


def leavers_for(viewer: User) -> Leavers:
    """Deactivated people's current team roles (a CRP among them is a transition for the managing
    partners) and open plan actions, on the clients `viewer` may see: BD's list to reassign."""
    roles = visible(
        viewer, Assignment.objects.filter(user__is_active=False, end_date__isnull=True).select_related("user", "client")
    ).order_by("user__full_name", "client__name")
    actions = visible(
        viewer,
        Action.objects.filter(owner__is_active=False, status=ActionStatus.OPEN).select_related("owner", "plan__client"),
        "plan__client",
    ).order_by("owner__full_name", "due_date")
    return Leavers(roles=roles, actions=actions)


def sessions_of(user: User) -> QuerySet[UserSession]:
    return UserSession.objects.filter(user=user).order_by("-last_seen_at")
