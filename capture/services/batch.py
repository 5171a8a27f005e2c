"""A whole batch of mailbox messages captured with a fixed number of queries.

The common cases — a message skipped or quarantined on its headers, an email that records a new
interaction with one client, a new meeting invite — are decided in memory from what the batch reads
once (the messages already logged, the suppression list, the stakeholders and open proposals for every
address in the batch, the interactions and meetings their keys name) and written with bulk inserts in
one transaction. Everything else (a message that adds to an interaction already captured, a moved or
cancelled meeting, a message for review, one the wall refuses) goes through `message_capture` one by
one after that transaction committed, as do all of the batch's messages if the transaction fails.

Nothing is reported captured before its transaction committed; the caller moves messages out of the
inbox only after this function returned."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from zoneinfo import ZoneInfo

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.access import visible_clients
from accounts.models import Client, User
from capture.models import (
    CapturedMeeting,
    CapturedMessage,
    MeetingStatus,
    Outcome,
    ReviewItem,
    ReviewKind,
    ReviewStatus,
    Source,
    Suppression,
    address_hash,
)
from capture.pipeline import message as mail
from capture.pipeline.calendar import CalendarError, Meeting, meetings_in
from capture.pipeline.signature import person_name, snippet, title_from_signature
from capture.services.directory import Resolved, domain_of, firm_users_by_address
from capture.services.messages import _participants, message_capture, message_captured, own_addresses
from health.services.jobs import clients_recompute_request
from stakeholders.models import Interaction, InteractionKind, InteractionSource, Stakeholder

Loader = Callable[[], mail.MessageView]


@dataclass
class Item:
    """One message of the batch, as far as it has been decided."""

    headers: Message
    mid: str
    load: Loader
    view: mail.MessageView | None = None
    log: dict = field(default_factory=dict)  # CapturedMessage fields, once decided here
    slow: bool = False  # left to `message_capture`
    captured: CapturedMessage | None = None
    # what the fast path writes
    interaction: Interaction | None = None
    attendees: list[User] = field(default_factory=list)
    stakeholders: list[Stakeholder] = field(default_factory=list)
    meeting: CapturedMeeting | None = None
    proposals: list[tuple[str, str]] = field(default_factory=list)  # (display name, address)
    signature: tuple[str, str] = ("", "")
    resolved: Resolved | None = None
    sender: User | None = None  # the firm sender, once the headers named an active firm person
    sent: datetime.datetime | None = None


class _Lookups:
    """What the batch reads once: suppression hashes, stakeholders by address, clients, the wall."""

    def __init__(self, addresses: set[str]):
        hashes = {address_hash(a): a for a in addresses}
        self.suppressed = {
            hashes[h]
            for h in Suppression.objects.filter(address_hash__in=list(hashes)).values_list("address_hash", flat=True)
        }
        firm = firm_users_by_address(list(addresses))
        outside = [a for a in addresses if a not in self.suppressed and a not in firm]
        self.stakeholders: dict[str, list[Stakeholder]] = defaultdict(list)
        if outside:
            found = Stakeholder.objects.annotate(lower_email=Lower("email")).filter(lower_email__in=outside)
            for person in found:
                self.stakeholders[person.lower_email].append(person)
        self._walls: dict[int, set[int]] = {}

    def resolve(self, people: list[mail.Address], ignore: set[str]) -> Resolved:
        """As `directory.resolve`, from what the batch read (the directory holds users and domains)."""
        from capture.services.directory import _batch

        directory = _batch.get()
        assert directory is not None
        result = Resolved()
        named = {address: name for name, address in people if address not in ignore}
        result.suppressed = {a for a in named if a in self.suppressed}
        emails = [a for a in named if a not in result.suppressed]
        result.firm = {e: directory.users[e] for e in emails if e in directory.users}
        outside = [a for a in emails if a not in result.firm]
        result.stakeholders = {a: list(self.stakeholders[a]) for a in outside if a in self.stakeholders}
        result.unmatched = [(named[a], a) for a in outside if a not in self.stakeholders]
        domains = {domain_of(a) for a in outside}
        result.domain_clients = {d: set(directory.domains[d]) for d in domains if d in directory.domains}
        mentioned = {s.client_id for group in result.stakeholders.values() for s in group} | {
            c for ids in result.domain_clients.values() for c in ids
        }
        result.excluded = mentioned & directory.excluded
        return result

    def may_take_part(self, user: User, client: Client) -> bool:
        """The access rule, asked once per person for all the batch's clients."""
        if not user.is_active:
            return False
        if user.pk not in self._walls:
            self._walls[user.pk] = set(
                visible_clients(user).filter(pk__in=list(self.clients)).values_list("pk", flat=True)
            )
        return client.pk in self._walls[user.pk]

    clients: dict[int, Client]


def batch_capture(
    messages: list[tuple[Message, Loader]], *, load_many: Callable[[list[int]], None]
) -> list[CapturedMessage]:
    """Capture `messages` (headers and a loader each), in their order; `load_many(indexes)` may read the
    bodies of those messages in one go before their loaders are called. Returns one log line each."""
    items = [Item(headers=h, mid=mail.message_id(h), load=load) for h, load in messages]
    seen = {c.message_id: c for c in CapturedMessage.objects.filter(message_id__in=[i.mid for i in items])}
    first: set[str] = set()
    needs_body: list[int] = []
    for index, item in enumerate(items):
        if item.mid in seen or item.mid in first:
            item.slow = True  # already captured (or twice in this batch): `message_capture` reads its line
            continue
        first.add(item.mid)
        _decide_headers(item)
        if not item.log and not item.slow:
            needs_body.append(index)
    load_many(needs_body)
    for index in needs_body:
        item = items[index]
        item.view = item.load()
        reason = mail.broken_mime_reason(item.view)
        if reason:
            item.log = {"outcome": Outcome.SKIPPED, "reason": reason, "sender": item.sender,
                        "sent_at": item.sent}  # fmt: skip
    pending = [items[i] for i in needs_body if not items[i].log]
    if pending:
        _plan(pending)
    fast = [i for i in items if not i.slow]
    try:
        with transaction.atomic():
            _write(fast)
    except (IntegrityError, ValidationError):
        # Another run captured some of these meanwhile, or a row was refused: each message on its own.
        for item in fast:
            item.slow, item.captured, item.interaction, item.meeting = True, None, None, None
    else:
        for item in fast:
            message_captured.send(sender=CapturedMessage, captured=item.captured)
    for item in items:
        if item.slow:
            item.captured = message_capture(item.headers, _loaded(item.view) if item.view is not None else item.load)
    return [item.captured for item in items]  # type: ignore[misc]


def _loaded(view: mail.MessageView) -> Loader:
    return lambda: view


def _decide_headers(item: Item) -> None:
    headers = item.headers
    sent = mail.sent_at(headers)
    item.log = {}
    reason = (
        mail.malformed_reason(headers)
        or mail.loop_reason(headers, settings.CAPTURE_ADDRESS)
        or mail.auto_reply_reason(headers)
    )
    if reason:
        item.log = {"outcome": Outcome.SKIPPED, "reason": reason, "sent_at": sent}
        return
    address = mail.first_address(headers, "Resent-From", "From")
    sender = firm_users_by_address([address[1]]).get(address[1]) if address else None
    if sender is None:
        item.log = {"outcome": Outcome.QUARANTINED, "reason": "Not from the address of an active firm person.",
                    "sent_at": sent}  # fmt: skip
        return
    item.log = {}
    item.attendees = [sender]
    item.signature = ("", "")
    item.sender = sender
    item.sent = sent


def _plan(pending: list[Item]) -> None:
    """Decide the emails and invites that need their bodies; anything unusual is left to the slow path."""
    zone = ZoneInfo(settings.TIME_ZONE)
    ignore = own_addresses()
    plans: list[tuple[Item, str, list[mail.Address], datetime.date, str, str, Meeting | None]] = []
    for item in pending:
        view = item.view
        assert view is not None
        if view.calendars:
            try:
                meetings = [m for data in view.calendars for m in meetings_in(data, zone)]
            except CalendarError:
                item.slow = True
                continue
            if len(meetings) != 1 or meetings[0].cancelled:
                item.slow = True
                continue
            event = meetings[0]
            people = ([event.organizer] if event.organizer else []) + event.attendees
            plans.append((item, f"ical:{event.uid}", people, event.day, event.summary, "", event))
            continue
        found = _participants(view, item.mid)
        item.signature = (found.sender_name, found.text)
        plans.append((item, found.key, found.people, found.day, found.summary, found.text, None))
    addresses = {a for plan in plans for _n, a in plan[2]}
    lookups = _Lookups(addresses)
    resolved_of = {id(plan[0]): lookups.resolve(plan[2], ignore) for plan in plans}
    client_ids = set()
    for item, *_rest in plans:
        ids = resolved_of[id(item)].client_ids()
        if len(ids) == 1:
            client_ids |= ids
    lookups.clients = Client.objects.in_bulk(list(client_ids))
    keys = [mail._fit(key) for _i, key, *_r in plans]
    taken = set(Interaction.objects.filter(capture_key__in=keys).values_list("capture_key", flat=True))
    uids = [plan[6].uid for plan in plans if plan[6] is not None]
    taken_uids = set(CapturedMeeting.objects.filter(uid__in=uids).values_list("uid", flat=True)) if uids else set()
    today = timezone.localdate()
    for item, key, _people, day, summary, _text, meeting in plans:
        key = mail._fit(key)
        resolved = resolved_of[id(item)]
        ids = resolved.client_ids()
        sender = item.sender
        assert sender is not None  # only messages from a firm person are planned
        if len(ids) != 1 or resolved.excluded or key in taken or (meeting and meeting.uid in taken_uids):
            item.slow = True  # review, capture off, a merge or a meeting already known
            continue
        client = lookups.clients[next(iter(ids))]
        attendees = {sender.pk: sender, **{u.pk: u for u in resolved.firm.values()}}
        allowed = [u for u in attendees.values() if lookups.may_take_part(u, client)]
        if sender not in allowed:
            item.slow = True
            continue
        taken.add(key)
        if meeting is not None:
            taken_uids.add(meeting.uid)
        item.resolved = resolved
        item.attendees = allowed
        item.stakeholders = [s for group in resolved.stakeholders.values() for s in group if s.client_id == client.pk]
        fields = {"sender": sender, "sent_at": item.sent, "key": key, "client": client}
        if meeting is None:
            if settings.CAPTURE_STORE_SNIPPET:
                fields["snippet"] = snippet(item.view.text if item.view else "")
            item.interaction = _interaction(client, sender, key, InteractionKind.EMAIL, InteractionSource.MAILBOX,
                                            day, summary)  # fmt: skip
            item.log = {"outcome": Outcome.CREATED, **fields}
        else:
            stored = CapturedMeeting(
                uid=meeting.uid, sequence=meeting.sequence, client=client, sender=sender,
                starts_on=meeting.day, summary=meeting.summary,
                firm_attendee_ids=sorted({u.pk for u in resolved.firm.values()}),
                stakeholder_ids=sorted({s.pk for s in item.stakeholders}),
            )  # fmt: skip
            item.meeting = stakeholders_meeting = stored
            if meeting.day > today:
                item.log = {"outcome": Outcome.SCHEDULED, **fields}
            else:
                stakeholders_meeting.status = MeetingStatus.HELD
                item.interaction = _interaction(client, sender, key, InteractionKind.MEETING,
                                                InteractionSource.INVITE, meeting.day, meeting.summary)  # fmt: skip
                item.log = {"outcome": Outcome.CREATED, **fields}
        if item.interaction is not None:
            domains = {d for d, c in resolved.domain_clients.items() if client.pk in c}
            item.proposals = [(n, a) for n, a in resolved.unmatched if domain_of(a) in domains]


def _interaction(
    client: Client, sender: User, key: str, kind: str, source: str, day: datetime.date, summary: str
) -> Interaction:
    """Checked as `stakeholders.services.interaction_log` checks a typed one (the wall was asked above)."""
    interaction = Interaction(
        client=client, date=day, kind=kind, summary=(summary or "").strip(), source=source,
        capture_key=key, created_by=sender,
    )  # fmt: skip
    interaction.full_clean(exclude=["client", "created_by"], validate_constraints=False, validate_unique=False)
    if day > timezone.localdate():
        raise ValidationError({"date": "An interaction cannot be dated in the future."})
    return interaction


def _write(fast: list[Item]) -> None:
    """Every decided message of the batch, in bulk, in the caller's transaction."""
    by_sender: dict[int | None, list[Item]] = defaultdict(list)
    for item in fast:
        if item.interaction is not None:
            by_sender[item.interaction.created_by_id].append(item)
    for sender_id, group in by_sender.items():
        with pghistory.context(user=sender_id):
            Interaction.objects.bulk_create([item.interaction for item in group])  # type: ignore[misc]
    with_interaction = [i for i in fast if i.interaction is not None]
    Attendee = Interaction.firm_attendees.through
    Met = Interaction.stakeholders.through
    Attendee.objects.bulk_create(
        [Attendee(interaction_id=i.interaction.pk, user_id=u.pk) for i in with_interaction for u in i.attendees]  # type: ignore[union-attr]
    )
    Met.objects.bulk_create(
        [Met(interaction_id=i.interaction.pk, stakeholder_id=s.pk) for i in with_interaction for s in i.stakeholders]  # type: ignore[union-attr]
    )
    meetings = [i for i in fast if i.meeting is not None]
    for item in meetings:
        item.meeting.interaction = item.interaction  # type: ignore[union-attr]
    CapturedMeeting.objects.bulk_create([i.meeting for i in meetings])  # type: ignore[misc]
    logs = []
    for item in fast:
        fields = dict(item.log)
        if item.interaction is not None:
            fields["interaction"] = item.interaction
        fields["reason"] = fields.get("reason", "")[:300]
        logs.append(CapturedMessage(message_id=item.mid, source=Source.MAILBOX, **fields))
    CapturedMessage.objects.bulk_create(logs)
    for item, log in zip(fast, logs, strict=True):
        item.captured = log
    _propose(with_interaction)
    clients_recompute_request(client_ids=sorted({i.interaction.client_id for i in with_interaction}))  # type: ignore[union-attr]


def _propose(items: list[Item]) -> None:
    """Review items for the client-side addresses nobody has on file, as `propose_stakeholders` makes them."""
    wanted = [(item, n, a) for item in items for n, a in item.proposals]
    if not wanted:
        return
    client_ids = {item.interaction.client_id for item, _n, _a in wanted}  # type: ignore[union-attr]
    open_items = {
        (r.client_id, r.email): r
        for r in ReviewItem.objects.select_for_update().filter(
            client_id__in=client_ids,
            kind=ReviewKind.PROPOSED_STAKEHOLDER,
            status=ReviewStatus.OPEN,
            email__in=sorted({a for _i, _n, a in wanted}),
        )
    }
    nameless = {
        (s.client_id, s.name.lower()): s
        for s in Stakeholder.objects.filter(client_id__in=client_ids, email="").only("id", "name", "client_id")
    }
    changed: dict[int, ReviewItem] = {}
    new: dict[tuple[int, str], ReviewItem] = {}
    for item, display, address in wanted:
        interaction = item.interaction
        assert interaction is not None
        key = (interaction.client_id, address)
        existing = open_items.get(key) or new.get(key)
        if existing is not None:
            ids = existing.payload.setdefault("interaction_ids", [])
            if interaction.pk not in ids:
                ids.append(interaction.pk)
                if existing.pk:
                    changed[existing.pk] = existing
            continue
        name = person_name(display, address)
        author, text = item.signature
        new[key] = ReviewItem(
            kind=ReviewKind.PROPOSED_STAKEHOLDER,
            client_id=interaction.client_id,
            sender_id=interaction.created_by_id,
            interaction=interaction,
            name=name,
            job_title=title_from_signature(text, name) if address == author else "",
            email=address,
            same_as=nameless.get((interaction.client_id, name.lower())),
            payload={"interaction_ids": [interaction.pk]},
        )
    ReviewItem.objects.bulk_create(list(new.values()))
    if changed:
        ReviewItem.objects.bulk_update(list(changed.values()), ["payload"])
