"""Decisions in the review queue, each one click: accept a proposed stakeholder (or link them to the
stakeholder they already are), file a message under a client, or dismiss."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Client, User
from accounts.services import audited_write
from capture.models import ClientEmailDomain, ReviewItem, ReviewKind, ReviewStatus
from capture.pipeline.calendar import Meeting
from capture.services.directory import Resolved, domain_of, resolve
from capture.services.messages import own_addresses, propose_stakeholders, record_interaction
from capture.services.privacy import suppression_add
from stakeholders.models import Interaction, InteractionKind, InteractionSource, Stakeholder
from stakeholders.services import stakeholder_create, stakeholder_update

ALREADY = "Someone has already decided this item."


def _claim(item: ReviewItem) -> ReviewItem:
    locked = ReviewItem.objects.select_for_update().get(pk=item.pk)
    if locked.status != ReviewStatus.OPEN:
        raise ValidationError({"item": ALREADY})
    return locked


def _close(item: ReviewItem, actor: User, status: str) -> None:
    item.status = status
    item.resolved_by = actor
    item.resolved_at = timezone.now()
    item.save(update_fields=["status", "resolved_by", "resolved_at"])


def proposal_accept(*, actor: User, item: ReviewItem) -> Stakeholder:
    """Add the proposed person as a stakeholder (or give the existing one their address) and put them
    on the interactions they were seen in: their contact counts from then on."""
    with audited_write(actor):
        item = _claim(item)
        if item.kind != ReviewKind.PROPOSED_STAKEHOLDER or item.client is None:
            raise ValidationError({"item": "This item does not propose a stakeholder."})
        person = item.same_as
        if person is not None:
            changes = {"email": item.email}
            if not person.job_title and item.job_title:
                changes["job_title"] = item.job_title
            person = stakeholder_update(actor=actor, stakeholder=person, expected_version=person.version, **changes)
        else:
            person = stakeholder_create(
                actor=actor, client=item.client, name=item.name, job_title=item.job_title, email=item.email
            )
        ids = item.payload.get("interaction_ids", [])
        for interaction in Interaction.objects.filter(pk__in=ids, client=item.client):
            interaction.stakeholders.add(person)
            interaction.save(update_fields=[])  # no column changes; post_save asks for the recompute
        _close(item, actor, ReviewStatus.ACCEPTED)
    return person


def item_dismiss(*, actor: User, item: ReviewItem, never_again: bool = False) -> None:
    """Dismiss; `never_again` also puts a proposed person's address on the suppression list."""
    with audited_write(actor):
        item = _claim(item)
        if never_again and item.email:
            suppression_add(address=item.email)
        _close(item, actor, ReviewStatus.DISMISSED)


def item_file_under(*, actor: User, item: ReviewItem, client: Client, remember_domains: bool = False) -> Interaction:
    """Record an unknown-client or two-clients item as an interaction of `client` (chosen by someone who
    may see it); for an unknown client, optionally remember its mail domains as the client's."""
    with audited_write(actor):
        item = _claim(item)
        if item.kind == ReviewKind.PROPOSED_STAKEHOLDER:
            raise ValidationError({"client": "A proposed stakeholder already has its client."})
        if item.kind == ReviewKind.TWO_CLIENTS and not item.candidates.filter(pk=client.pk).exists():
            raise ValidationError({"client": "Choose one of the clients the message named."})
        if remember_domains and item.kind == ReviewKind.UNKNOWN_CLIENT:
            for domain in item.domains:
                ClientEmailDomain.objects.get_or_create(client=client, domain=domain, defaults={"created_by": actor})
        payload = item.payload
        people = [(name, address) for name, address in payload.get("people", [])]
        resolved = resolve(people, ignore=own_addresses())
        # The chosen client's unmatched addresses are the client's people, whatever their domain.
        resolved.domain_clients = {domain_of(a): {client.pk} for _n, a in resolved.unmatched}
        sender = item.sender or actor
        interaction, reason = _record(payload, client, sender, resolved)
        if interaction is None:
            raise ValidationError({"client": reason})
        propose_stakeholders(client, resolved, interaction, sender)
        _close(item, actor, ReviewStatus.ACCEPTED)
    return interaction


def _record(payload: dict, client: Client, sender: User, resolved: Resolved) -> tuple[Interaction | None, str]:
    day = datetime.date.fromisoformat(payload["day"])
    if payload.get("kind") == "meeting":
        from capture.services.meetings import meeting_create

        meeting = Meeting(payload["uid"], payload.get("sequence", 0), False, day, payload["summary"], None)
        result = meeting_create(meeting=meeting, client_id=client.pk, sender=sender, resolved=resolved)
        if isinstance(result, tuple):
            stored = result[1]
            if stored.interaction is None and day <= timezone.localdate():
                return None, "The sender is not on this client's team."
            return stored.interaction or Interaction(client=client, date=day, summary=stored.summary), ""
        return None, result.reason
    return record_interaction(
        client=client,
        sender=sender,
        key=payload["key"],
        kind=InteractionKind.EMAIL,
        source=InteractionSource.MAILBOX,
        day=day,
        summary=payload["summary"],
        resolved=resolved,
    )


def domain_add(*, actor: User, client: Client, domain: str) -> ClientEmailDomain:
    domain = (domain or "").strip().lower().lstrip("@")
    if not domain or "." not in domain or " " in domain or "@" in domain or len(domain) > 253:
        raise ValidationError({"domain": "Enter a mail domain such as harbour-energy.com."})
    with audited_write(actor):
        if ClientEmailDomain.objects.filter(client=client, domain=domain).exists():
            raise ValidationError({"domain": "This client already has this domain."})
        return ClientEmailDomain.objects.create(client=client, domain=domain, created_by=actor)


def domain_remove(*, actor: User, domain: ClientEmailDomain) -> None:
    with audited_write(actor):
        domain.delete()


def capture_switch(*, actor: User, client: Client, off: bool, reason: str = "") -> None:
    """Turn capture off (or back on) for one client; messages naming it are then skipped."""
    from capture.models import CaptureExclusion

    with audited_write(actor):
        if off:
            CaptureExclusion.objects.update_or_create(
                client=client, defaults={"reason": reason[:200], "created_by": actor}
            )
        else:
            CaptureExclusion.objects.filter(client=client).delete()


def interaction_sentiment_set(*, actor: User, client: Client, interaction_id: object, sentiment: object) -> Interaction:
    """The partner's reading of a captured interaction (capture leaves sentiment neutral): −2 … +2."""
    try:
        value = int(str(sentiment))
    except (TypeError, ValueError):
        value = None
    if value is None or not -2 <= value <= 2:
        raise ValidationError({"sentiment": "Sentiment runs from −2 to +2."})
    with audited_write(actor):
        try:
            pk = int(str(interaction_id))
        except (TypeError, ValueError):
            pk = 0
        interaction = Interaction.objects.select_for_update().filter(pk=pk, client=client).first()
        if interaction is None:
            raise ValidationError({"interaction": "No such interaction for this client."})
        if interaction.sentiment != value:
            interaction.sentiment = value
            interaction.save(update_fields=["sentiment"])  # post_save: the client's scores are recomputed
    return interaction
