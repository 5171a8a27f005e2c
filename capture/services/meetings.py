"""Meetings captured from iCalendar invites and files: created, moved and withdrawn by their UID.

A meeting still ahead is kept (CapturedMeeting) and becomes an interaction on its day: an interaction
is a touchpoint that took place, and "days since contact" must not count one that has not."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from accounts.services import audited_write
from capture.models import CapturedMeeting, CapturedMessage, MeetingStatus, Outcome
from capture.pipeline import message as mail
from capture.pipeline.calendar import CalendarError, Meeting, meetings_in
from capture.services.directory import Resolved, resolve
from capture.services.messages import (
    Participants,
    _log,
    _payload,
    decide_client,
    own_addresses,
    propose_stakeholders,
    record_interaction,
)
from stakeholders.models import Interaction, InteractionKind, InteractionSource

OUTCOME_ORDER: list[str] = [Outcome.CREATED, Outcome.UPDATED, Outcome.WITHDRAWN, Outcome.SCHEDULED, Outcome.MERGED]


def ical_key(uid: str) -> str:
    return mail._fit(f"ical:{uid}")


def meetings_capture(
    mid: str, view: mail.MessageView, *, sender: User, source: str, sent: datetime.datetime | None
) -> CapturedMessage:
    """Every event in the message's calendar parts; the log line tells the first thing that happened."""
    zone = ZoneInfo(settings.TIME_ZONE)
    meetings: list[Meeting] = []
    try:
        for data in view.calendars:
            meetings.extend(meetings_in(data, zone))
    except CalendarError as exc:
        return _log(mid, source, Outcome.SKIPPED, str(exc), sender=sender, sent_at=sent)
    if not meetings:
        return _log(mid, source, Outcome.SKIPPED, "The calendar part holds no meeting.", sender=sender, sent_at=sent)
    if len(meetings) == 1:
        return meeting_capture(meetings[0], sender=sender, mid=mid, source=source, sent=sent)
    # A calendar export: one log line per event (by its own key), then one for the file.
    counts: dict[str, int] = {}
    for meeting in meetings:
        event_mid = mail._fit(f"{mid}/{meeting.uid}")
        logged = CapturedMessage.objects.filter(message_id=event_mid).first()
        logged = logged or meeting_capture(meeting, sender=sender, mid=event_mid, source=source, sent=sent)
        counts[logged.outcome] = counts.get(logged.outcome, 0) + 1
    summary = ", ".join(f"{n} {Outcome(o).label.lower()}" for o, n in sorted(counts.items()))
    best = min(counts, key=lambda o: OUTCOME_ORDER.index(o) if o in OUTCOME_ORDER else 99)
    return _log(mid, source, best, f"{len(meetings)} meetings: {summary}"[:300], sender=sender, sent_at=sent)


def meeting_capture(
    meeting: Meeting, *, sender: User, mid: str, source: str, sent: datetime.datetime | None
) -> CapturedMessage:
    """One event, logged under `mid`: created, moved, withdrawn, kept until its day, or put to review."""
    key = ical_key(meeting.uid)
    result = _meeting_decide(meeting, sender=sender, mid=mid, source=source, sent=sent, key=key)
    if isinstance(result, CapturedMessage):
        return result
    outcome, stored = result
    reason = "" if stored.interaction_id or outcome != Outcome.SKIPPED else "The sender is not on this client's team."
    return _log(
        mid, source, outcome, reason, sender=sender, sent_at=sent, key=key,
        client_id=stored.client_id, interaction_id=stored.interaction_id,
    )  # fmt: skip


def _meeting_decide(
    meeting: Meeting, *, sender: User, mid: str, source: str, sent: datetime.datetime | None, key: str
) -> tuple[str, CapturedMeeting] | CapturedMessage:
    stored = CapturedMeeting.objects.select_for_update().filter(uid=meeting.uid).first()
    if stored is not None and meeting.sequence < stored.sequence:
        return _log(
            mid, source, Outcome.SKIPPED, "An older version of a meeting already captured.", sender=sender, key=key
        )
    if meeting.cancelled:
        if stored is None:
            return _log(mid, source, Outcome.SKIPPED, "Cancels a meeting never captured.", sender=sender, sent_at=sent)
        _withdraw(stored, sender)
        stored.sequence = meeting.sequence
        stored.status = MeetingStatus.CANCELLED
        stored.save()
        return Outcome.WITHDRAWN, stored
    people = ([meeting.organizer] if meeting.organizer else []) + meeting.attendees
    resolved = resolve(people, ignore=own_addresses())
    if stored is not None:
        _update(stored, meeting, sender, resolved)
        return Outcome.UPDATED, stored
    found = Participants(key, people, meeting.day, meeting.summary, "", "")
    decision = decide_client(
        resolved,
        mid=mid,
        source=source,
        fields={"sender": sender, "sent_at": sent, "key": key},
        payload={**_payload(found, resolved, "meeting"), "uid": meeting.uid, "sequence": meeting.sequence},
    )
    if isinstance(decision, CapturedMessage):
        return decision
    return meeting_create(meeting=meeting, client_id=decision.pk, sender=sender, resolved=resolved)


def meeting_create(
    *, meeting: Meeting, client_id: int, sender: User, resolved: Resolved
) -> tuple[str, CapturedMeeting] | CapturedMessage:
    stored = CapturedMeeting(
        uid=meeting.uid,
        sequence=meeting.sequence,
        client_id=client_id,
        sender=sender,
        starts_on=meeting.day,
        summary=meeting.summary,
    )
    _set_people(stored, resolved)
    stored.save()
    if meeting.day > timezone.localdate():
        return Outcome.SCHEDULED, stored
    hold(stored, resolved=resolved)
    return (Outcome.CREATED if stored.interaction else Outcome.SKIPPED), stored


def _set_people(stored: CapturedMeeting, resolved: Resolved) -> None:
    stored.firm_attendee_ids = sorted({u.pk for u in resolved.firm.values()})
    stored.stakeholder_ids = sorted(
        {s.pk for group in resolved.stakeholders.values() for s in group if s.client_id == stored.client_id}
    )


def _resolved_of(stored: CapturedMeeting) -> Resolved:
    from stakeholders.models import Stakeholder

    resolved = Resolved()
    resolved.firm = {str(u.pk): u for u in User.objects.filter(pk__in=stored.firm_attendee_ids, is_active=True)}
    resolved.stakeholders = {
        str(s.pk): [s] for s in Stakeholder.objects.filter(pk__in=stored.stakeholder_ids, client_id=stored.client_id)
    }
    return resolved


def hold(stored: CapturedMeeting, *, resolved: Resolved | None = None) -> Interaction | None:
    """The meeting has taken place: record it as an interaction (once)."""
    sender = stored.sender
    if sender is None or not sender.is_active:
        return None
    interaction, _outcome = record_interaction(
        client=stored.client,
        sender=sender,
        key=ical_key(stored.uid),
        kind=InteractionKind.MEETING,
        source=InteractionSource.INVITE,
        day=stored.starts_on,
        summary=stored.summary,
        resolved=resolved or _resolved_of(stored),
    )
    stored.interaction = interaction
    stored.status = MeetingStatus.HELD
    stored.save(update_fields=["interaction", "status", "updated_at"])
    if interaction is not None and resolved is not None:
        propose_stakeholders(stored.client, resolved, interaction, sender)
    return interaction


def _withdraw(stored: CapturedMeeting, sender: User) -> None:
    if stored.interaction_id is None:
        return
    with audited_write(sender):
        Interaction.objects.filter(pk=stored.interaction_id).delete()
    stored.interaction = None


def _update(stored: CapturedMeeting, meeting: Meeting, sender: User, resolved: Resolved) -> None:
    """A moved or renamed meeting: the interaction follows it (and waits again if moved ahead)."""
    stored.sequence = meeting.sequence
    stored.starts_on = meeting.day
    stored.summary = meeting.summary
    _set_people(stored, resolved)
    if stored.status == MeetingStatus.CANCELLED:
        stored.status = MeetingStatus.SCHEDULED
    if meeting.day > timezone.localdate():
        _withdraw(stored, sender)
        stored.status = MeetingStatus.SCHEDULED
        stored.save()
        return
    stored.save()
    interaction = Interaction.objects.filter(pk=stored.interaction_id).first() if stored.interaction_id else None
    if interaction is None:
        hold(stored, resolved=resolved)
        return
    with audited_write(sender):
        interaction.date = meeting.day
        interaction.summary = meeting.summary
        interaction.save(update_fields=["date", "summary"])  # post_save: the client's scores are recomputed
        interaction.firm_attendees.add(*[u for u in resolved.firm.values() if _may(u, stored)])
        interaction.stakeholders.set(stored.stakeholder_ids)


def _may(user: User, stored: CapturedMeeting) -> bool:
    from accounts.access import may_take_part

    return may_take_part(user, stored.client)


def meetings_hold_due(today: datetime.date | None = None) -> int:
    """Record the meetings whose day has come (run with each mailbox poll). Returns how many."""
    today = today or timezone.localdate()
    done = 0
    for pk in CapturedMeeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_on__lte=today).values_list(
        "pk", flat=True
    ):
        from django.db import transaction

        with transaction.atomic():
            stored = (
                CapturedMeeting.objects.select_for_update(of=("self",)).select_related("client", "sender").get(pk=pk)
            )
            if stored.status == MeetingStatus.SCHEDULED and stored.starts_on <= today:
                done += hold(stored) is not None
    return done
