"""The one access rule. Every page, partial, API endpoint, export and download goes through here.

- Partners see and edit clients whose current team they are on, and see other
  non-confidential clients read-only.
- BD sees and edits all non-confidential clients; managing partners and admins see and edit all.
- A confidential client is a 404 to anyone outside its team except managing partners and admins.
"""

from __future__ import annotations

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
