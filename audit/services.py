"""Writing the audit log (the only write path: entries are never changed) and its retention purge."""

from __future__ import annotations

import datetime
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.utils import timezone

from accounts.models import Client, User
from audit.context import current_request
from audit.models import AuditEntry, Kind


def _label(user: User | None) -> str:
    return user.email if user is not None else ""


def audit_record(
    *,
    kind: Kind | str,
    summary: str,
    actor: User | None = None,
    client: Client | None = None,
    subject_user: User | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. The actor and address default to the request being served (if any).

    Written on the database connection's own terms: inside a caller's transaction the entry stands or
    falls with the change it describes (a refused export leaves no "exported" entry)."""
    request = current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    now = timezone.now()
    return AuditEntry.objects.create(
        at=now,
        kind=kind,
        actor=actor,
        actor_label=_label(actor),
        subject_user=subject_user,
        client=client,
        summary=summary[:300],
        detail=detail or {},
        ip_address=(get_client_ip_address(request) or None) if request is not None else None,
        retain_until=now + datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS),
    )


def audit_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the entries past their retention date (the database refuses any other delete)."""
    deleted, _ = AuditEntry.objects.filter(retain_until__lte=now or timezone.now()).delete()
    return deleted
