"""One captured message, decided and written in one transaction: an interaction (or an addition to one
already captured), a review item, or a skip with its reason — and always one line in the processing log.

`message_capture` decides on the headers first and asks for the body (`load`) only for messages it will
use, so that mail it skips is never downloaded, and attachments never are."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from accounts.access import may_take_part
from accounts.models import Client, User
from accounts.services import audited_write
from capture.models import CapturedMessage, Outcome, ReviewItem, ReviewKind, ReviewStatus, Source
from capture.pipeline import message as mail
from capture.pipeline.signature import person_name, snippet, title_from_signature
from capture.services.directory import Resolved, clients_by_id, domain_of, firm_users_by_address, resolve
from stakeholders.models import Interaction, InteractionKind, InteractionSource, Stakeholder
from stakeholders.services import interaction_log

# Sent after each message's own transaction ended, with `captured` (its CapturedMessage).
message_captured = Signal()


@dataclass
class Participants:
    """Who took part in the interaction a message records, and what it is about."""

    key: str
    people: list[mail.Address]
    day: datetime.date
    summary: str
    sender_name: str  # the original author's address: their signature is the one in the text
    text: str


def own_addresses() -> set[str]:
    own = {settings.CAPTURE_ADDRESS.lower(), settings.CAPTURE_IMAP_USER.lower()}
    return {a for a in own if "@" in a}


def _log(mid: str, source: str, outcome: str, reason: str = "", **fields: Any) -> CapturedMessage:
    return CapturedMessage.objects.create(message_id=mid, source=source, outcome=outcome, reason=reason[:300], **fields)


def message_capture(
    headers: Message,
    load: Callable[[], mail.MessageView],
    *,
    source: str = Source.MAILBOX,
    uploader: User | None = None,
) -> CapturedMessage:
    """Capture one message, once: a message whose Message-ID was already read returns its log line.

    An upload names its `uploader`, signed in: they are the firm sender, whoever the mail is from."""
    mid = mail.message_id(headers)
    seen = CapturedMessage.objects.filter(message_id=mid).first()
    if seen is not None:
        return seen
    try:
        with transaction.atomic():
            captured = _capture(mid, headers, load, source, uploader)
    except (IntegrityError, ValidationError) as exc:
        # Another run captured the same message meanwhile (read what it decided), or the interaction
        # was refused: the message is logged as skipped with the reason, and nothing else is written.
        seen = CapturedMessage.objects.filter(message_id=mid).first()
        if seen is not None:
            return seen
        reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else "Captured by another run meanwhile."
        captured = _log(mid, source, Outcome.SKIPPED, f"Not recorded: {reason}", sent_at=mail.sent_at(headers))
    message_captured.send(sender=CapturedMessage, captured=captured)
    return captured


def _capture(
    mid: str, headers: Message, load: Callable[[], mail.MessageView], source: str, uploader: User | None
) -> CapturedMessage:
    sent = mail.sent_at(headers)
    reason = (
        ("" if uploader else mail.malformed_reason(headers))
        or mail.loop_reason(headers, settings.CAPTURE_ADDRESS)
        or mail.auto_reply_reason(headers)
    )
    if reason:
        return _log(mid, source, Outcome.SKIPPED, reason, sent_at=sent)
    sender_address = mail.first_address(headers, "Resent-From", "From")
    sender = firm_users_by_address([sender_address[1]]).get(sender_address[1]) if sender_address else None
    sender = uploader or sender
    if sender is None:
        return _log(mid, source, Outcome.QUARANTINED, "Not from the address of an active firm person.", sent_at=sent)
    view = load()
    reason = mail.broken_mime_reason(view)
    if reason:
        return _log(mid, source, Outcome.SKIPPED, reason, sender=sender, sent_at=sent)
    if view.calendars:
        from capture.services.meetings import meetings_capture

        return meetings_capture(mid, view, sender=sender, source=source, sent=sent)
    return _email_capture(mid, view, sender=sender, source=source, sent=sent)


def _participants(view: mail.MessageView, mid: str) -> Participants:
    headers = view.headers
    original = view.original
    if original is None and (mail.FORWARD_SUBJECT.match(mail.subject(headers)) or view.text):
        original = mail.inline_forward(view.text)
    if original is not None:
        people = mail.addresses(original, "From", "To", "Cc") + mail.addresses(headers, "Resent-From", "From")
        when = mail.sent_at(original) or mail.sent_at(headers)
        author = mail.first_address(original, "From")
        summary = mail.bare_subject(mail.subject(original) or mail.subject(headers))
        key = mail.original_key(original)
        text = view.original_text or view.text
    else:
        people = mail.addresses(headers, "From", "To", "Cc", "Resent-From")
        when = mail.sent_at(headers)
        author = mail.first_address(headers, "From")
        summary = mail.bare_subject(mail.subject(headers))
        key = mid
        text = view.text
    today = timezone.localdate()
    day = min(timezone.localtime(when).date(), today) if when else today
    return Participants(key, people, day, summary[:500], author[1] if author else "", text)


def _email_capture(
    mid: str, view: mail.MessageView, *, sender: User, source: str, sent: datetime.datetime | None
) -> CapturedMessage:
    found = _participants(view, mid)
    resolved = resolve(found.people, ignore=own_addresses())
    fields: dict[str, Any] = {"sender": sender, "sent_at": sent, "key": found.key}
    if settings.CAPTURE_STORE_SNIPPET:
        fields["snippet"] = snippet(view.text)
    decision = decide_client(
        resolved, mid=mid, source=source, fields=fields, payload=_payload(found, resolved, "email")
    )
    if isinstance(decision, CapturedMessage):
        return decision
    client = decision
    interaction, outcome = record_interaction(
        client=client,
        sender=sender,
        key=found.key,
        kind=InteractionKind.EMAIL,
        source=InteractionSource.MAILBOX,
        day=found.day,
        summary=found.summary,
        resolved=resolved,
    )
    if interaction is None:
        return _log(mid, source, Outcome.SKIPPED, outcome, client=client, **fields)
    propose_stakeholders(client, resolved, interaction, sender, signature_of=(found.sender_name, found.text))
    return _log(mid, source, outcome, client=client, interaction=interaction, **fields)


def _payload(found: Participants, resolved: Resolved, kind: str) -> dict:
    """What an unknown-client or two-clients review item keeps to record the interaction later."""
    return {
        "kind": kind,
        "key": found.key,
        "day": found.day.isoformat(),
        "summary": found.summary,
        "people": [[name, address] for name, address in found.people if address not in resolved.suppressed],
        # searched by erasure, which removes the person from items still waiting
        "addresses": sorted({address for _name, address in found.people if address not in resolved.suppressed}),
    }


def decide_client(
    resolved: Resolved, *, mid: str, source: str, fields: dict, payload: dict
) -> Client | CapturedMessage:
    """The one client the message is about, or the log line that says why there is none."""
    ids = resolved.client_ids()
    sender: User = fields["sender"]
    if not ids:
        off = resolved.excluded
        if off:
            # Logged against the client, so only people who may see it can read that it was skipped.
            return _log(mid, source, Outcome.SKIPPED, "Capture is off for this client.", client_id=min(off), **fields)
        outside = {domain_of(a) for _n, a in resolved.unmatched}
        if not outside:
            return _log(mid, source, Outcome.SKIPPED, "No client-side address in the message.", **fields)
        captured = _log(mid, source, Outcome.REVIEW, "No client uses these mail domains.", **fields)
        ReviewItem.objects.create(
            kind=ReviewKind.UNKNOWN_CLIENT, sender=sender, message=captured, domains=sorted(outside), payload=payload
        )
        return captured
    if len(ids) > 1:
        captured = _log(mid, source, Outcome.REVIEW, "The message names people at more than one client.", **fields)
        item = ReviewItem.objects.create(kind=ReviewKind.TWO_CLIENTS, sender=sender, message=captured, payload=payload)
        item.candidates.set(sorted(ids))
        return captured
    return clients_by_id(ids)[ids.pop()]


def record_interaction(
    *,
    client: Client,
    sender: User,
    key: str,
    kind: str,
    source: str,
    day: datetime.date,
    summary: str,
    resolved: Resolved,
) -> tuple[Interaction | None, str]:
    """Create the interaction `key` names, or add this message's people to it: (interaction, outcome or reason)."""
    attendees = {sender.pk: sender, **{u.pk: u for u in resolved.firm.values()}}
    # Everyone active may take part in an open client's work: the wall is asked only for confidential ones.
    allowed = [u for u in attendees.values() if u.is_active and (not client.confidential or may_take_part(u, client))]
    if sender not in allowed:
        return None, "The sender is not on this client's team."
    people = [s for group in resolved.stakeholders.values() for s in group if s.client_id == client.pk]
    existing = Interaction.objects.select_for_update().filter(capture_key=key).first()
    if existing is not None:
        if existing.client_id != client.pk:
            return None, "Already captured for another client."
        with audited_write(sender):
            existing.firm_attendees.add(*allowed)
            existing.stakeholders.add(*people)
        return existing, Outcome.MERGED
    interaction = interaction_log(
        actor=sender,
        client=client,
        date=day,
        summary=summary,
        firm_attendees=allowed,
        stakeholders=people,
        kind=kind,
        source=source,
        capture_key=key,
    )
    return interaction, Outcome.CREATED


def propose_stakeholders(
    client: Client,
    resolved: Resolved,
    interaction: Interaction,
    sender: User,
    *,
    signature_of: tuple[str, str] = ("", ""),
) -> list[ReviewItem]:
    """A review item for each address at the client's domain that no stakeholder has: nothing is created."""
    domains = {d for d, ids in resolved.domain_clients.items() if client.pk in ids}
    wanted = [(n, a) for n, a in resolved.unmatched if domain_of(a) in domains]
    if not wanted:
        return []
    open_items = {
        item.email: item
        for item in ReviewItem.objects.select_for_update().filter(
            client=client,
            kind=ReviewKind.PROPOSED_STAKEHOLDER,
            status=ReviewStatus.OPEN,
            email__in=[a for _n, a in wanted],
        )
    }
    nameless = {
        s.name.lower(): s for s in Stakeholder.objects.filter(client=client, email="").only("id", "name", "client_id")
    }
    author, text = signature_of
    items = []
    for display, address in wanted:
        item = open_items.get(address)
        if item is not None:
            ids = item.payload.setdefault("interaction_ids", [])
            if interaction.pk not in ids:
                ids.append(interaction.pk)
                item.save(update_fields=["payload"])
            continue
        name = person_name(display, address)
        items.append(
            ReviewItem.objects.create(
                kind=ReviewKind.PROPOSED_STAKEHOLDER,
                client=client,
                sender=sender,
                interaction=interaction,
                name=name,
                job_title=title_from_signature(text, name) if address == author else "",
                email=address,
                same_as=nameless.get(name.lower()),
                payload={"interaction_ids": [interaction.pk]},
            )
        )
    return items
