"""Meetings read from iCalendar data (an invite in mail, an uploaded .ics, a whole calendar export).
Pure: no database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import icalendar

from capture.pipeline.message import Address, _fit


class CalendarError(ValueError):
    """The file is not iCalendar data Keyline can read."""


@dataclass
class Meeting:
    uid: str
    sequence: int
    cancelled: bool
    day: datetime.date
    summary: str
    organizer: Address | None
    attendees: list[Address] = field(default_factory=list)


def _address(prop: object) -> Address | None:
    if prop is None:
        return None
    value = str(prop)
    if value.lower().startswith("mailto:"):
        value = value[7:]
    value = value.strip().lower()
    if "@" not in value:
        return None
    params = getattr(prop, "params", {}) or {}
    return (str(params.get("CN", "")).strip().strip('"'), value)


def _day(value: object, zone: ZoneInfo) -> datetime.date | None:
    when = getattr(value, "dt", None)
    if isinstance(when, datetime.datetime):
        if when.tzinfo is not None:
            when = when.astimezone(zone)
        return when.date()
    if isinstance(when, datetime.date):
        return when
    return None


def meetings_in(data: bytes, zone: ZoneInfo) -> list[Meeting]:
    """Every event in `data`, dated in the firm's time zone. METHOD:CANCEL or STATUS:CANCELLED withdraws."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise CalendarError("Not a readable iCalendar file.") from exc
    method = str(calendar.get("METHOD", "")).upper()
    found = []
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID", "")).strip()
        day = _day(event.get("DTSTART"), zone)
        if not uid or day is None:
            continue
        try:
            sequence = int(event.get("SEQUENCE", 0))
        except (TypeError, ValueError):
            sequence = 0
        attendees_prop = event.get("ATTENDEE") or []
        if not isinstance(attendees_prop, list):
            attendees_prop = [attendees_prop]
        attendees = [a for a in (_address(p) for p in attendees_prop) if a]
        found.append(
            Meeting(
                uid=_fit(uid),
                sequence=sequence,
                cancelled=method == "CANCEL" or str(event.get("STATUS", "")).upper() == "CANCELLED",
                day=day,
                summary=" ".join(str(event.get("SUMMARY", "")).split())[:500] or "(no title)",
                organizer=_address(event.get("ORGANIZER")),
                attendees=attendees,
            )
        )
    return found
