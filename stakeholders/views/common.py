"""Helpers the stakeholder views share: fetching through the access rule, turning errors into form errors."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.urls import reverse

from accounts.access import editable_clients, visible_clients
from accounts.models import Client, User


def client_for(user: User, pk: object) -> Client:
    """The visible client with `.may_edit`, in one query; 404 when walled off or unknown."""
    editable = editable_clients(user).filter(pk=OuterRef("pk"))
    try:
        return visible_clients(user).annotate(may_edit=Exists(editable)).get(pk=int(pk))
    except (Client.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such client.") from exc


def stakeholder_url_prefix() -> str:
    """ "/stakeholders/": pages with hundreds of people append the id instead of reversing each URL."""
    return reverse("stakeholder-detail", args=[0]).removesuffix("0/")
