"""Critical incidents and complaints: recorded, owned, recovered, and resolved with a root cause."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.access import editable_clients
from accounts.models import Client, User
from accounts.services import NotificationDraft, audited_write, notifications_create, require_firm_person
from core.concurrency import save_versioned, update_versioned
from listening.events import critical_incident_open
from listening.models import Incident, RootCause, Severity


def _check(actor: User, client: Client) -> None:
    if not editable_clients(actor).filter(pk=client.pk).exists():
        raise ValidationError({"client": "Unknown client."})


def _check_dates(incident: Incident) -> None:
    today = timezone.localdate()
    if incident.occurred_on and incident.occurred_on > today:
        raise ValidationError({"occurred_on": "It cannot have happened in the future."})
    if incident.acknowledged_on and incident.occurred_on and incident.acknowledged_on < incident.occurred_on:
        raise ValidationError({"acknowledged_on": "The client cannot acknowledge before it happened."})


def incident_create(*, actor: User, client: Client, owner: User, **fields: Any) -> Incident:
    _check(actor, client)
    require_firm_person(owner, client, "owner")
    incident = Incident(client=client, owner=owner, **fields)
    incident.full_clean(validate_constraints=False)
    _check_dates(incident)
    with audited_write(actor):
        incident.save()
        if incident.severity == Severity.CRITICAL and owner.pk != actor.pk:
            notifications_create(
                drafts=[
                    NotificationDraft(
                        user_id=owner.pk,
                        title=f"Critical incident at {client.name}: you own the recovery",
                        url=client.get_absolute_url() + "#listening",
                        client_id=client.pk,
                        dedupe_key=f"incident-owner:{incident.pk}:{owner.pk}",
                    )
                ]
            )
    _announce_if_critical(incident)
    return incident


def _announce_if_critical(incident: Incident) -> None:
    if incident.severity == Severity.CRITICAL and incident.resolved_on is None:
        critical_incident_open.send(sender=Incident, incident=incident)


def incident_update(*, actor: User, incident: Incident, expected_version: int, **changes: Any) -> Incident:
    _check(actor, incident.client)
    if "owner" in changes:
        require_firm_person(changes["owner"], incident.client, "owner")

    def validate(instance: Incident) -> None:
        instance.full_clean(validate_constraints=False)
        _check_dates(instance)

    updated = update_versioned(
        incident,
        expected_version=expected_version,
        changes=changes,
        allowed=Incident.EDITABLE_FIELDS,
        write=lambda: audited_write(actor),
        validate=validate,
    )
    _announce_if_critical(updated)
    return updated


def incident_resolve(
    *,
    actor: User,
    incident: Incident,
    expected_version: int,
    root_cause: RootCause | None,
    resolved_on: datetime.date | None = None,
) -> Incident:
    """Resolved with the root cause (a category the firm configures), never without one."""
    _check(actor, incident.client)
    if root_cause is None or not root_cause.active:
        raise ValidationError({"root_cause": "Choose the root cause."})
    resolved_on = resolved_on or timezone.localdate()
    if resolved_on < incident.occurred_on:
        raise ValidationError({"resolved_on": "It cannot be resolved before it happened."})
    if resolved_on > timezone.localdate():
        raise ValidationError({"resolved_on": "It cannot be resolved in the future."})
    incident.root_cause = root_cause
    incident.resolved_on = resolved_on
    with audited_write(actor):
        return save_versioned(incident, expected_version, ["root_cause", "resolved_on"])
