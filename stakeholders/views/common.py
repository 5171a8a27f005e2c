"""Helpers the stakeholder views share: fetching through the access rule, turning errors into form errors."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.urls import reverse

from accounts.access import editable_clients, get_visible_object, visible_clients
from accounts.models import Client, User
from stakeholders.models import Stakeholder


def client_for(user: User, pk: object) -> Client:
    """The visible client with `.may_edit`, in one query; 404 when walled off or unknown."""
    editable = editable_clients(user).filter(pk=OuterRef("pk"))
    try:
        return visible_clients(user).annotate(may_edit=Exists(editable)).get(pk=int(pk))
    except (Client.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such client.") from exc


def stakeholder_and_client(user: User, pk: object) -> tuple[Stakeholder, Client]:
    """The visible stakeholder and its client with `.may_edit`, in one query; 404 when walled off or unknown."""
    editable = editable_clients(user).filter(pk=OuterRef("client_id"))
    queryset = Stakeholder.objects.select_related("client").annotate(may_edit=Exists(editable))
    person = get_visible_object(user, queryset, pk)
    person.client.may_edit = person.may_edit
    return person, person.client


def stakeholder_url_prefix() -> str:
    """ "/stakeholders/": pages with hundreds of people append the id instead of reversing each URL."""
    return reverse("stakeholder-detail", args=[0]).removesuffix("0/")
