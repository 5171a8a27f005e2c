"""The daily stewardship round (Celery beat): record today's CRP signals, escalate the undecided
ones, and remind holders of credentials about to lapse. Safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User
from stewardship import services
from stewardship.selectors.firm import firm_headline


def _reader_of_every_client() -> User | None:
    """The signals and figures are read as someone who sees every client: the first active managing
    partner or administrator (the firm has none before its first is made; then there is nothing to read)."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=[Role.MANAGING_PARTNER, Role.ADMIN]) | Q(is_superuser=True))
        .order_by("pk")
        .first()
    )


@shared_task(name="stewardship.tasks.refresh_firm_headline")
def refresh_firm_headline() -> bool:
    """Recompute the overview's firm figures before the kept ones lapse. Safe to run twice."""
    reader = _reader_of_every_client()
    if reader is None or not settings.STEWARDSHIP_FIGURES_CACHE_SECONDS:
        return False
    firm_headline(reader, timezone.localdate(), fresh=True)
    return True


@shared_task(name="stewardship.tasks.daily_stewardship")
def daily_stewardship() -> dict[str, int]:
    reader = _reader_of_every_client()
    open_signals = services.signals_sync(reader=reader) if reader else 0
    return {
        "open_signals": open_signals,
        "escalated": services.signals_escalate(),
        "credential_reminders": services.credentials_remind(),
    }
