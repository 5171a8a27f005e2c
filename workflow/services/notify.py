"""Telling people what is theirs: assignments, due dates passing, mentions; in-app, by email, in channels.

In-app notifications are the record (`accounts.services.notifications_create`, deduplicated per
person and event). A notification about a client is read through the wall
(`Notification.objects.readable_by`), so it disappears for someone taken off the team.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.access import may_take_part
from accounts.models import Client, Notification, User
from accounts.services import NotificationDraft, notifications_create
from planning.models import AccountPlan, Action, ActionStatus, ClientReview
from workflow.models import EmailPreference


def current_actor_id() -> int | None:
    """The person whose audited write is running (pghistory's context), if any."""
    from pghistory import runtime

    value = getattr(runtime._tracker, "value", None)
    return value.metadata.get("user") if value is not None else None


def assigned_notify(*, kind: str, obj_id: int, version: int, owner_id: int, client: Client, text: str, url: str) -> int:
    """Tell `owner_id` that something of `client` is now theirs (not when they gave it to themselves)."""
    if owner_id == current_actor_id():
        return 0
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None or not may_take_part(owner, client):
        return 0
    drafts = [
        NotificationDraft(
            user_id=owner_id,
            title=f"Assigned to you: {text}"[:200],
            body=f"{client.name}: {text}",
            url=url,
            client_id=client.pk,
            dedupe_key=f"assigned:{kind}:{obj_id}:{owner_id}:v{version}",
        )
    ]
    created = notifications_create(drafts=drafts)
    if created:
        from workflow.services import outbound

        transaction.on_commit(
            lambda: outbound.announce(
                event="assignment",
                client_id=client.pk,
                title=drafts[0].title,
                body=drafts[0].body,
                url=url,
                dedupe_key=drafts[0].dedupe_key,
                user_ids=[owner_id],
            ),
            robust=True,
        )
    return len(created)


def action_url(action: Action) -> str:
    return reverse("plan-detail", args=[action.plan_id]) + f"#action-{action.pk}"


def due_dates_passed(*, today: datetime.date | None = None) -> int:
    """Owners of open actions whose due date passed, and attendees of reviews planned but not held,
    hear about it once per item and due date. One query each, one insert for all."""
    today = today or timezone.localdate()
    drafts = [
        NotificationDraft(
            user_id=owner_id,
            title=f"Overdue: {description}"[:200],
            body=f"{client_name}: due {due:%d %b %Y}.",
            url=reverse("plan-detail", args=[plan_id]) + f"#action-{pk}",
            client_id=client_id,
            dedupe_key=f"due:action:{pk}:{due.isoformat()}",
        )
        for pk, owner_id, description, due, plan_id, client_id, client_name in Action.objects.filter(
            status=ActionStatus.OPEN, due_date__lt=today, owner__is_active=True
        ).values_list("pk", "owner_id", "description", "due_date", "plan_id", "plan__client_id", "plan__client__name")
    ]
    reviews = ClientReview.objects.filter(held_date__isnull=True, planned_date__lt=today).values_list(
        "pk", "firm_attendees", "planned_date", "client_id", "client__name"
    )
    drafts += [
        NotificationDraft(
            user_id=user_id,
            title=f"Client review of {client_name} planned {planned:%d %b %Y} is not recorded as held"[:200],
            body="Record it as held, or plan a new date.",
            url=reverse("client-detail", args=[client_id]) + "#plans",
            client_id=client_id,
            dedupe_key=f"due:review:{pk}:{planned.isoformat()}",
        )
        for pk, user_id, planned, client_id, client_name in reviews
        if user_id is not None
    ]
    drafts += document_date_drafts(today)
    return len(notifications_create(drafts=drafts))


RENEWAL_NOTICE_DAYS = 30


def document_date_drafts(today: datetime.date) -> list[NotificationDraft]:
    """A document's renewal or expiry within 30 days reminds the client's CRP and SAM, once per date."""
    from accounts.models import Assignment, AssignmentRole
    from workflow.models import Document

    until = today + datetime.timedelta(days=RENEWAL_NOTICE_DAYS)
    leads = Assignment.objects.filter(
        end_date__isnull=True, role__in=[AssignmentRole.CRP, AssignmentRole.SAM], user__is_active=True
    )
    drafts = []
    for field, words in (("renewal_on", "Renewal or rate review"), ("expires_on", "Expiry")):
        rows = list(
            Document.objects.filter(**{f"{field}__gte": today, f"{field}__lte": until}).values_list(
                "pk", "title", field, "client_id", "client__name"
            )
        )
        people: dict[int, list[int]] = {}
        for client_id, user_id in leads.filter(client_id__in={row[3] for row in rows}).values_list(
            "client_id", "user_id"
        ):
            people.setdefault(client_id, []).append(user_id)
        drafts += [
            NotificationDraft(
                user_id=user_id,
                title=f"{words} of {title} on {on:%d %b %Y}"[:200],
                body=f"{client_name}: {words.lower()} in {(on - today).days} days.",
                url=reverse("document-detail", args=[pk]),
                client_id=client_id,
                dedupe_key=f"document:{field}:{pk}:{on.isoformat()}",
            )
            for pk, title, on, client_id, client_name in rows
            for user_id in people.get(client_id, [])
        ]
    return drafts


def plan_url(plan: AccountPlan) -> str:
    return reverse("plan-detail", args=[plan.pk])


# --- the daily email -------------------------------------------------------------------------


def daily_email_set(*, actor: User, daily: bool) -> EmailPreference:
    pref, _ = EmailPreference.objects.update_or_create(user=actor, defaults={"daily": daily})
    return pref


def wants_daily(user: User) -> bool:
    return EmailPreference.objects.filter(user=user, daily=True).exists()


def daily_email_send(*, user_id: int, now: datetime.datetime | None = None) -> int:
    """Email one person their unread notifications of the past day (those they may still see).
    Claims the day first, so a second run sends nothing. Returns how many were listed."""
    now = now or timezone.now()
    pref = EmailPreference.objects.filter(user_id=user_id, daily=True, user__is_active=True).first()
    if pref is None:
        return 0
    since = pref.last_sent_at or now - datetime.timedelta(days=1)
    claimed = EmailPreference.objects.filter(pk=pref.pk, last_sent_at=pref.last_sent_at).update(last_sent_at=now)
    if not claimed:
        return 0
    user = pref.user
    notes = list(Notification.objects.readable_by(user).filter(read_at__isnull=True, created_at__gt=since)[:50])
    if not notes:
        return 0
    base = getattr(settings, "SITE_URL", "")
    lines = [f"- {note.title}\n  {note.body}\n  {base}{note.url}".rstrip() for note in notes]
    send_mail(
        f"[Keyline] {len(notes)} new for you today",
        "What is yours in Keyline since yesterday:\n\n" + "\n".join(lines),
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
    return len(notes)


def daily_email_recipients() -> Iterable[int]:
    return EmailPreference.objects.filter(daily=True, user__is_active=True).values_list("user_id", flat=True)
