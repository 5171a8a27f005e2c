"""Reading the audit log, cut by the ethical wall."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.access import sees_whole_audit_log, visible_clients
from accounts.models import Client, User
from audit.models import AuditEntry


def audit_entries_visible_to(user: User) -> QuerySet[AuditEntry]:
    """Every entry for administrators; for others, entries about no client or about a client they may
    see (an entry about a walled or since-deleted client is as absent as one never written)."""
    entries = AuditEntry.objects.all()
    if sees_whole_audit_log(user):
        return entries
    seen = visible_clients(user).order_by().filter(pk=OuterRef("client_id"))
    return entries.filter(Q(client__isnull=True) | Exists(seen))


@dataclass(frozen=True)
class AuditFilter:
    user: User | None = None
    client: Client | None = None
    kind: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def audit_entries(viewer: User, which: AuditFilter) -> QuerySet[AuditEntry]:
    entries = audit_entries_visible_to(viewer)
    if which.user is not None:
        entries = entries.filter(Q(actor=which.user) | Q(subject_user=which.user))
    if which.client is not None:
        entries = entries.filter(client=which.client)
    if which.kind:
        entries = entries.filter(kind=which.kind)
    if which.date_from is not None:
        entries = entries.filter(at__date__gte=which.date_from)
    if which.date_to is not None:
        entries = entries.filter(at__date__lte=which.date_to)
    return entries.order_by("-at", "-id")
