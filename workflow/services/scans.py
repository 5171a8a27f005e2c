"""The daily scan for signals read from dates: no contact, overdue reviews, re-tenders, CRP rotation.

Each trigger is one set-based query per playbook (its N differs), never one query per client. The
dedupe keys name the episode (the last contact, the due date, the re-tender date, the assignment),
so a client still silent tomorrow does not get a second set of actions for the same silence.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from accounts.crp_signals import DAYS_A_YEAR, rotation_review_due
from accounts.models import Assignment, AssignmentRole, Client, ClientStatus, User
from planning.models import PanelAppointment
from planning.selectors.portfolio import overdue_reviews
from workflow.models import Document, DocumentKind, Playbook, PlaybookRun, Trigger
from workflow.services.playbooks import Signal, signals_fire

SCANNED = [Trigger.NO_CONTACT, Trigger.REVIEW_OVERDUE, Trigger.RETENDER, Trigger.ROTATION_DUE]


def _system_reader() -> User:
    """Scans read every client: an unsaved administrator passes the access rule without a session."""
    from accounts.models import Role

    return User(role=Role.ADMIN, is_active=True, email="scan@keyline.invalid")


def no_contact_signals(days: int, today: datetime.date) -> list[Signal]:
    since = today - datetime.timedelta(days=days)
    rows = (
        Client.objects.filter(status=ClientStatus.ACTIVE)
        .annotate(last_contact=Max("interactions__date", filter=Q(interactions__date__lte=today)))
        .filter(Q(last_contact__isnull=True) | Q(last_contact__lt=since))
        .values_list("pk", "name", "last_contact")
    )
    return [
        Signal(
            Trigger.NO_CONTACT,
            pk,
            f"no_contact:{pk}:{last.isoformat() if last else 'never'}",
            f"No contact with {name} in {days} days",
            f"Last recorded contact {last:%d %b %Y}." if last else "No contact recorded yet.",
        )
        for pk, name, last in rows
    ]


def review_overdue_signals(today: datetime.date) -> list[Signal]:
    # review_due_on is annotated by overdue_reviews (out of the plugin's sight)
    rows = overdue_reviews(user=_system_reader(), today=today).values_list("pk", "name", "review_due_on")  # type: ignore[misc]
    return [
        Signal(
            Trigger.REVIEW_OVERDUE,
            pk,
            f"review_overdue:{pk}:{due.isoformat() if due else 'never'}",
            f"Client review of {name} is overdue",
            f"Due {due:%d %b %Y}." if due else "No client review held yet.",
        )
        for pk, name, due in rows
    ]


def retender_signals(days: int, today: datetime.date) -> list[Signal]:
    """Panel re-tenders within `days`, and panel contracts (documents) expiring within `days`."""
    until = today + datetime.timedelta(days=days)
    panels = PanelAppointment.objects.filter(
        retender_on__gte=today, retender_on__lte=until, client__status=ClientStatus.ACTIVE
    ).values_list("client_id", "client__name", "panel_name", "retender_on")
    contracts = Document.objects.filter(
        kind=DocumentKind.PANEL_CONTRACT,
        expires_on__gte=today,
        expires_on__lte=until,
        client__status=ClientStatus.ACTIVE,
    ).values_list("client_id", "client__name", "title", "expires_on")
    signals = [
        Signal(
            Trigger.RETENDER,
            client_id,
            f"retender:{client_id}:{on.isoformat()}",
            f"{name}: re-tender of {panel} on {on:%d %b %Y}",
            f"Within {days} days.",
        )
        for client_id, name, panel, on in [*panels, *contracts]
        if on is not None
    ]
    return signals


def rotation_signals(today: datetime.date) -> list[Signal]:
    years = settings.CRP_ROTATION_REVIEW_YEARS
    started_by = today - datetime.timedelta(days=int(years * DAYS_A_YEAR))
    rows = Assignment.objects.filter(
        role=AssignmentRole.CRP,
        end_date__isnull=True,
        start_date__lte=started_by,
        client__status=ClientStatus.ACTIVE,
    ).values_list("pk", "client_id", "client__name", "user__full_name", "start_date")
    return [
        Signal(
            Trigger.ROTATION_DUE,
            client_id,
            f"rotation_due:{pk}",
            f"CRP rotation review due for {name}",
            f"{crp} has led the client since {start:%d %b %Y} ({years}+ years).",
        )
        for pk, client_id, name, crp, start in rows
        if rotation_review_due(start, today)  # the one home of the rule; the filter above only narrows
    ]


def signals_scan(*, today: datetime.date | None = None) -> list[PlaybookRun]:
    """Run every active date-read playbook over every active client. Safe to run twice."""
    today = today or timezone.localdate()
    runs: list[PlaybookRun] = []
    for playbook in Playbook.objects.filter(is_active=True, trigger__in=SCANNED).prefetch_related("steps"):
        if playbook.trigger == Trigger.NO_CONTACT:
            signals = no_contact_signals(playbook.threshold or 90, today)
        elif playbook.trigger == Trigger.REVIEW_OVERDUE:
            signals = review_overdue_signals(today)
        elif playbook.trigger == Trigger.RETENDER:
            signals = retender_signals(playbook.threshold or 90, today)
        else:
            signals = rotation_signals(today)
        runs += signals_fire(signals=signals, playbooks=[playbook])
    return runs
