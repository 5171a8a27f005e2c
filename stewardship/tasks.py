"""The daily stewardship round (Celery beat): record today's CRP signals, escalate the undecided
ones, and remind holders of credentials about to lapse. Safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db.models import Q

from accounts.models import Role, User
from stewardship import services


@shared_task(name="stewardship.tasks.daily_stewardship")
def daily_stewardship() -> dict[str, int]:
    # The signals are read as someone who sees every client: the first active managing partner or
    # administrator (the firm has none before its first is made; then there is nothing to decide).
    reader = (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=[Role.MANAGING_PARTNER, Role.ADMIN]) | Q(is_superuser=True))
        .order_by("pk")
        .first()
    )
    open_signals = services.signals_sync(reader=reader) if reader else 0
    return {
        "open_signals": open_signals,
        "escalated": services.signals_escalate(),
        "credential_reminders": services.credentials_remind(),
    }
