"""Reads of mailbox capture, all through the access rule: the review queue, the processing log, the
client panel, the status page."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.access import editable_clients, sees_all_open_clients, visible_clients
from accounts.models import Client, User
from capture.models import (
    CapturedMessage,
    CaptureExclusion,
    MailboxState,
    ReviewItem,
    ReviewKind,
    ReviewStatus,
)


def visible_review_items(user: User) -> QuerySet[ReviewItem]:
    """Items about clients `user` may see, every one of them: an item naming a confidential client
    exists only for the people inside its wall. Items about no known client are their sender's, and BD's."""
    seen = visible_clients(user).values("pk")
    hidden_candidate = ReviewItem.candidates.through.objects.filter(reviewitem_id=OuterRef("pk")).exclude(
        client_id__in=seen
    )
    no_client = Q(client__isnull=True, kind=ReviewKind.UNKNOWN_CLIENT) & (
        Q(sender=user) if not sees_all_open_clients(user) else Q()
    )
    return ReviewItem.objects.filter(
        Q(client__in=seen) | Q(kind=ReviewKind.TWO_CLIENTS, client__isnull=True) | no_client
    ).exclude(Exists(hidden_candidate))


def review_queue(user: User, *, mine: bool) -> QuerySet[ReviewItem]:
    """Open items: `mine` is a partner's own (sent by them, or about their clients); otherwise every
    item `user` may see (the BD queue)."""
    items = visible_review_items(user).filter(status=ReviewStatus.OPEN)
    if mine:
        team = Client.objects.on_team_of(user).values("pk")
        on_team_candidate = ReviewItem.candidates.through.objects.filter(
            reviewitem_id=OuterRef("pk"), client_id__in=team
        )
        items = items.filter(Q(sender=user) | Q(client__in=team) | Exists(on_team_candidate))
    return (
        items.select_related("client", "sender", "same_as", "interaction")
        .prefetch_related("candidates")
        .order_by("-created_at", "-id")
    )


def review_count(user: User) -> int:
    """The number on the partner home: the partner's own open items."""
    return review_queue(user, mine=True).count()


def processing_log(user: User) -> QuerySet[CapturedMessage]:
    """The mailbox's log as `user` may read it: lines about a client only for those who may see the
    client; lines about no client (quarantined, skipped) only for those who see the whole firm."""
    seen = visible_clients(user).values("pk")
    rows = CapturedMessage.objects.filter(client__in=seen)
    if sees_all_open_clients(user):
        rows = CapturedMessage.objects.filter(Q(client__in=seen) | Q(client__isnull=True))
    return rows.select_related("client", "sender", "interaction").order_by("-processed_at", "-id")


@dataclass
class CaptureSummary:
    domains: list[tuple[int, str]]  # (id, domain)
    off: bool
    off_reason: str
    waiting: int
    editable: bool


def client_capture_summary(client: Client, user: User) -> CaptureSummary:
    """The client panel's figures in one query, whatever the number of domains."""
    exclusion = CaptureExclusion.objects.filter(client=OuterRef("pk"))
    waiting = (
        ReviewItem.objects.filter(client=OuterRef("pk"), status=ReviewStatus.OPEN)
        .order_by()
        .values("client")
        .annotate(n=Count("id"))
        .values("n")
    )
    row = (
        Client.objects.filter(pk=client.pk)
        .annotate(
            domain_ids=ArrayAgg("email_domains__pk", order_by="email_domains__domain", default=[]),
            domain_names=ArrayAgg("email_domains__domain", order_by="email_domains__domain", default=[]),
            off=Exists(exclusion),
            off_reason=Subquery(exclusion.values("reason")[:1]),
            waiting=Coalesce(Subquery(waiting), 0),
            editable=Exists(editable_clients(user).filter(pk=OuterRef("pk"))),
        )
        .values("domain_ids", "domain_names", "off", "off_reason", "waiting", "editable")
        .get()
    )
    pairs = [(pk, name) for pk, name in zip(row["domain_ids"], row["domain_names"], strict=True) if pk is not None]
    return CaptureSummary(pairs, row["off"], row["off_reason"] or "", row["waiting"], row["editable"])


def outcome_counts(user: User) -> dict[str, int]:
    return dict(processing_log(user).order_by().values_list("outcome").annotate(n=Count("id")))


def mailbox_state() -> MailboxState:
    return MailboxState.load()
