"""The one access rule. Every page, partial, API endpoint, export and download goes through here.

- Partners see and edit clients whose current team they are on, and see other
  non-confidential clients read-only.
- BD sees and edits all non-confidential clients; managing partners and admins see and edit all.
- A confidential client is a 404 to anyone outside its team except managing partners and admins.
"""

from __future__ import annotations

import functools
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from accounts.models import Client, User

M = TypeVar("M", bound=models.Model)


def visible_clients(user: User) -> models.QuerySet[Client]:
    return Client.objects.visible_to(user)


def editable_clients(user: User) -> models.QuerySet[Client]:
    return Client.objects.editable_by(user)


def can_edit(user: User, client: Client) -> bool:
    return editable_clients(user).filter(pk=client.pk).exists()


def get_visible_client(user: User, pk: object) -> Client:
    """The client, or 404 if it does not exist or `user` is walled off from it."""
    try:
        return visible_clients(user).get(pk=int(pk))
    except (Client.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such client.") from exc


def get_editable_client(user: User, pk: object) -> Client:
    """The client for a write: 404 when invisible, 403 when visible but read-only to `user`."""
    client = get_visible_client(user, pk)
    if not can_edit(user, client):
        raise PermissionDenied("You can view this client but not change it.")
    return client


def visible[M: models.Model](
    user: User, queryset: models.QuerySet[M], client_field: str = "client"
) -> models.QuerySet[M]:
    """Filter any client-owned queryset down to rows of clients `user` may see."""
    return queryset.filter(**{f"{client_field}__in": visible_clients(user).values("pk")})


def editable[M: models.Model](
    user: User, queryset: models.QuerySet[M], client_field: str = "client"
) -> models.QuerySet[M]:
    return queryset.filter(**{f"{client_field}__in": editable_clients(user).values("pk")})


def get_visible_object[M: models.Model](user: User, queryset: models.QuerySet[M], pk: object,
                       client_field: str = "client") -> M:
    try:
        return visible(user, queryset, client_field).get(pk=int(pk))
    except (queryset.model.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("Not found.") from exc


def get_editable_object[M: models.Model](user: User, queryset: models.QuerySet[M], pk: object,
                        client_field: str = "client") -> M:
    obj = get_visible_object(user, queryset, pk, client_field)
    client_id = obj
    for part in client_field.split("__"):
        client_id = getattr(client_id, part)
    if not editable_clients(user).filter(pk=client_id.pk).exists():
        raise PermissionDenied("You can view this but not change it.")
    return obj


def require_role(user: User, *roles: str) -> None:
    if not (user.is_superuser or user.role in roles):
        raise PermissionDenied("Your role does not allow this.")


@functools.cache
def client_path(model: type[models.Model]) -> str | None:
    """The lookup from `model` to the client its rows belong to ("client", "plan__client", …), or None
    for data no client owns (firm people, service lines, tiers). Found by following foreign keys."""
    if model is Client:
        return "pk"
    frontier: list[tuple[type[models.Model], str]] = [(model, "")]
    for _depth in range(3):
        next_frontier = []
        for current, prefix in frontier:
            for field in current._meta.concrete_fields:
                if not field.is_relation or field.related_model is None:
                    continue
                path = f"{prefix}{field.name}"
                if field.related_model is Client:
                    return path
                next_frontier.append((field.related_model, f"{path}__"))
        frontier = next_frontier
    return None


def visible_rows[M: models.Model](user: User, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """`queryset` cut down to the rows `user` may see: client data by the wall, other data as it is.

    Every choice offered or accepted by a filter or a related field goes through here, so an id
    behind the wall reads exactly like an id that does not exist."""
    path = client_path(queryset.model)
    if path is None:
        return queryset
    return queryset.filter(**{f"{path}__in": visible_clients(user).values("pk")})


def firm_people_for(client: Client) -> models.QuerySet[User]:
    """Active firm people who may see `client`: those who may own its actions or attend its meetings."""
    return User.objects.active().who_may_see(client)


def may_take_part(person: User, client: Client) -> bool:
    return person.is_active and visible_clients(person).filter(pk=client.pk).exists()
