"""What comments and documents may be attached to, each found through the access rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import Http404
from django.urls import reverse

from accounts.access import client_path, get_visible_client, get_visible_object
from accounts.models import Client, User
from listening.models import Incident
from planning.models import AccountPlan, Action, ClientReview, PanelAppointment
from stakeholders.models import Interaction


@dataclass(frozen=True)
class SubjectKind:
    name: str
    model: type[models.Model]
    label: str
    comments: bool
    documents: bool


KINDS: dict[str, SubjectKind] = {
    kind.name: kind
    for kind in [
        SubjectKind("client", Client, "client", comments=True, documents=True),
        SubjectKind("plan", AccountPlan, "account plan", comments=True, documents=True),
        SubjectKind("action", Action, "plan action", comments=True, documents=False),
        SubjectKind("interaction", Interaction, "interaction", comments=True, documents=False),
        SubjectKind("incident", Incident, "incident", comments=True, documents=False),
        SubjectKind("panel", PanelAppointment, "panel appointment", comments=False, documents=True),
        SubjectKind("review", ClientReview, "client review", comments=False, documents=True),
    ]
}
BY_MODEL = {kind.model: kind for kind in KINDS.values()}


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    obj: Any
    client: Client

    @property
    def title(self) -> str:
        if isinstance(self.obj, Client):
            return self.obj.name
        return f"{self.kind.label.capitalize()}: {self.obj}"

    @property
    def url(self) -> str:
        obj = self.obj
        if isinstance(obj, AccountPlan):
            return reverse("plan-detail", args=[obj.pk])
        if isinstance(obj, Action):
            return reverse("plan-detail", args=[obj.plan_id]) + f"#action-{obj.pk}"
        if isinstance(obj, Interaction):
            return reverse("interaction-timeline", args=[obj.client_id]) + f"#interaction-{obj.pk}"
        return reverse("client-detail", args=[self.client.pk])

    @property
    def thread_url(self) -> str:
        return reverse("comment-thread", args=[self.kind.name, self.obj.pk])


def subject_of(user: User, kind_name: str, pk: object, *, feature: str) -> Subject:
    """The subject through the wall: 404 for an unknown kind, a missing id or a hidden one alike."""
    kind = KINDS.get(kind_name)
    if kind is None or not getattr(kind, feature):
        raise Http404("Not found.")
    if kind.model is Client:
        found = get_visible_client(user, pk)
        return Subject(kind, found, found)
    path = client_path(kind.model)
    assert path is not None
    obj = get_visible_object(user, kind.model._default_manager.all(), pk, path)
    client: Any = obj
    for part in path.split("__"):
        client = getattr(client, part)
    return Subject(kind, obj, client)


def subject_of_row(row: Any) -> Subject | None:
    """The subject a stored comment or document is attached to (read without a viewer: the caller
    has already checked the row's client)."""
    model = row.subject_type.model_class()
    kind = BY_MODEL.get(model)
    obj = model._default_manager.filter(pk=row.subject_id).first() if kind else None
    if obj is None or kind is None:
        return None
    return Subject(kind, obj, row.client)
