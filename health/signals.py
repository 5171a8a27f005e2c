"""Receivers that keep scores fresh: a change to a client's data schedules its recompute.

Bulk writes (`bulk_create`, `QuerySet.update`) send no signals; code doing them requests the
recompute itself, and the nightly run catches anything else.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from accounts.models import FeeRecord
from health.models import Measurement
from health.services.jobs import client_recompute_request
from planning.models import AccountPlan, Action, Risk
from stakeholders.models import Interaction, Relationship, Stakeholder


def _client_id_of(instance) -> int | None:
    if isinstance(instance, Action):
        return AccountPlan.objects.filter(pk=instance.plan_id).values_list("client_id", flat=True).first()
    if isinstance(instance, Relationship):
        return Stakeholder.objects.filter(pk=instance.stakeholder_id).values_list("client_id", flat=True).first()
    return getattr(instance, "client_id", None)


def data_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures being loaded
    client_id = _client_id_of(instance)
    if client_id is not None:
        client_recompute_request(client_id=client_id)


WATCHED = [Interaction, FeeRecord, Action, Risk, Stakeholder, Relationship, Measurement]


def connect() -> None:
    for model in WATCHED:
        post_save.connect(data_changed, sender=model, dispatch_uid=f"health-recompute-save-{model.__name__}")
        post_delete.connect(data_changed, sender=model, dispatch_uid=f"health-recompute-delete-{model.__name__}")
