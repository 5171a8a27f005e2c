"""Querysets that carry the access rule: what a user may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q

if TYPE_CHECKING:
    from accounts.models import Client, User  # noqa: F401 (named as a string in a base class)


def _on_team(user: User) -> Exists:
    from accounts.models import Assignment

    return Exists(Assignment.objects.filter(client=OuterRef("pk"), user=user, end_date__isnull=True))


class ClientQuerySet(models.QuerySet["Client"]):
    def visible_to(self, user: User) -> ClientQuerySet:
        """The clients `user` may see at all: the ethical wall lives here and only here.

        Whoever is on a client's current team sees it, whatever their role: a BD person added
        to a confidential client's team sees it on every page, as its partners do.
        """
        from accounts import access

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if access.sees_behind_walls(user):
            return self
        return self.filter(Q(confidential=False) | _on_team(user))

    def editable_by(self, user: User) -> ClientQuerySet:
        """The clients `user` may change: admins and managing partners all, partners their own."""
        from accounts import access

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if access.sees_behind_walls(user):
            return self
        if access.sees_all_open_clients(user):  # BD edits open clients' data (imports, fees)
            return self.filter(Q(confidential=False) | _on_team(user))
        return self.filter(_on_team(user))

    def on_team_of(self, user: User) -> ClientQuerySet:
        return self.filter(_on_team(user))

    def walled_on_team_of(self, user: User) -> ClientQuerySet:
        """The confidential clients `user` sees only because they are on the team."""
        return self.filter(_on_team(user), confidential=True)

    def with_current_crp(self) -> ClientQuerySet:
        from accounts.models import Assignment

        crp = Assignment.objects.filter(client=OuterRef("pk"), role="crp", end_date__isnull=True)
        return self.annotate(
            crp_id=models.Subquery(crp.values("user_id")[:1]),
            crp_name=models.Subquery(crp.values("user__full_name")[:1]),
        )


class NotificationQuerySet(models.QuerySet):
    def readable_by(self, user: User) -> NotificationQuerySet:
        """`user`'s notifications about nothing or about a client they may still see.

        Read at display time, so an alert or a report notice naming a client stops showing the
        moment its reader is taken off the team or the client is put behind a wall.
        """
        from accounts.models import Client

        # EXISTS per notification, not IN (visible clients): under the OR, IN hashes every client the
        # reader may see (all of them for most people) to check a handful of notifications, on every page.
        return self.filter(user=user).filter(
            Q(client__isnull=True) | Exists(Client.objects.visible_to(user).filter(pk=OuterRef("client_id")))
        )


class UserQuerySet(models.QuerySet):
    def active(self) -> UserQuerySet:
        return self.filter(is_active=True)

    def who_may_see(self, client) -> UserQuerySet:
        """The people `ClientQuerySet.visible_to` lets see `client`: the same wall, read from the other side."""
        from accounts.models import Assignment, Role

        if not client.confidential:
            return self
        on_team = Exists(Assignment.objects.filter(client=client, user=OuterRef("pk"), end_date__isnull=True))
        behind_walls = Q(role__in=[Role.MANAGING_PARTNER, Role.ADMIN]) | Q(is_superuser=True)
        return self.filter(behind_walls | on_team)
