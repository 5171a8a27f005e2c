"""Reactions to other apps' events: health alerts, new CRPs, detractors, critical incidents, plan items
given to someone."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.urls import reverse

from accounts.models import Assignment, AssignmentRole
from workflow.models import Trigger


def on_alerts(sender: type, events: list, as_of: datetime.date, **kwargs: Any) -> None:
    """Health alerts (band drops, falls) run their playbooks and go out to the channels."""
    from workflow.services import outbound
    from workflow.services.playbooks import Signal, signals_fire

    signals = [
        Signal(event.kind, event.client_id, event.dedupe_key, event.title, event.body, event.to_band, event.points)
        for event in events
        if event.kind in (Trigger.BAND_DROP, Trigger.SCORE_FALL)
    ]
    signals_fire(signals=signals)
    for event in events:
        outbound.announce(
            event="alert",
            client_id=event.client_id,
            title=event.title,
            body=event.body,
            url=reverse("client-detail", args=[event.client_id]) + "#health",
            dedupe_key=event.dedupe_key,
            user_ids=outbound.team_user_ids(event.client_id),
        )


def fire_on_commit(*, trigger: str, client_id: int, dedupe_key: str, title: str) -> None:
    """Run the trigger's playbooks once the write that raised it commits (nothing if it rolls back)."""

    def fire() -> None:
        from workflow.services.playbooks import signal_fire

        signal_fire(trigger=trigger, client_id=client_id, dedupe_key=dedupe_key, title=title)

    transaction.on_commit(fire, robust=True)


def on_assignment(sender: type, instance: Assignment, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A new CRP starts their onboarding playbook once the appointment commits."""
    if not created or raw or instance.role != AssignmentRole.CRP:
        return
    fire_on_commit(
        trigger=Trigger.NEW_CRP,
        client_id=instance.client_id,
        dedupe_key=f"new_crp:{instance.pk}",
        title=f"New CRP started on {instance.start_date:%d %b %Y}",
    )


def on_survey_response(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """A detractor's answer runs the detractor playbooks once per answer (a changed answer is the same one)."""
    from listening.models import FollowUpReason
    from listening.services.responses import follow_up_reason

    if raw or follow_up_reason(instance) != FollowUpReason.DETRACTOR:
        return
    fire_on_commit(
        trigger=Trigger.DETRACTOR,
        client_id=instance.client_id,
        dedupe_key=f"detractor:{instance.pk}",
        title=f"A detractor at the client (NPS {instance.nps})",
    )


def on_critical_incident(sender: type, incident: Any, **kwargs: Any) -> None:
    """An open critical incident runs the critical-incident playbooks once per incident."""
    fire_on_commit(
        trigger=Trigger.CRITICAL_INCIDENT,
        client_id=incident.client_id,
        dedupe_key=f"critical_incident:{incident.pk}",
        title=f"Critical incident: {incident.title}",
    )


def on_plan_item(sender: type, instance: Any, actor: Any, created: bool, previous: dict, **kwargs: Any) -> None:
    """An action, risk, opportunity or review given to someone tells them."""
    from planning.models import Action, ClientReview, Opportunity, Risk
    from workflow.services.notify import action_url, assigned_notify

    version = getattr(instance, "version", 1)
    if isinstance(instance, Action):
        if created or previous.get("owner") not in (None, instance.owner_id):
            client = instance.plan.client
            assigned_notify(
                kind="action",
                obj_id=instance.pk,
                version=version,
                owner_id=instance.owner_id,
                client=client,
                text=f"{instance.description} (due {instance.due_date:%d %b %Y})",
                url=action_url(instance),
            )
    elif isinstance(instance, Risk | Opportunity):
        if instance.owner_id and (created or ("owner" in previous and previous["owner"] != instance.owner_id)):
            kind = "risk" if isinstance(instance, Risk) else "opportunity"
            assigned_notify(
                kind=kind,
                obj_id=instance.pk,
                version=version,
                owner_id=instance.owner_id,
                client=instance.client,
                text=f"{kind} {instance}",
                url=reverse("client-detail", args=[instance.client_id]) + "#plans",
            )
    elif isinstance(instance, ClientReview):
        before = previous.get("firm_attendees", set())
        now = set(instance.firm_attendees.values_list("pk", flat=True))
        for user_id in sorted(now - before):
            assigned_notify(
                kind="review",
                obj_id=instance.pk,
                version=version,
                owner_id=user_id,
                client=instance.client,
                text=f"client review planned {instance.planned_date:%d %b %Y}",
                url=reverse("client-detail", args=[instance.client_id]) + "#plans",
            )


def connect() -> None:
    from health.services.alerts import alerts_raised
    from listening.events import critical_incident_open
    from listening.models import Response
    from planning.events import item_saved

    alerts_raised.connect(on_alerts, dispatch_uid="workflow-alerts")
    post_save.connect(on_assignment, sender=Assignment, dispatch_uid="workflow-new-crp")
    item_saved.connect(on_plan_item, dispatch_uid="workflow-assigned")
    post_save.connect(on_survey_response, sender=Response, dispatch_uid="workflow-detractor")
    critical_incident_open.connect(on_critical_incident, dispatch_uid="workflow-critical-incident")
