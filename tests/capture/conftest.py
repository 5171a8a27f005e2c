"""Fixtures for mailbox capture: a real Dovecot server, the firm mailbox settings pointing at it, and
messages as partners' mail programs write them."""

from __future__ import annotations

import datetime
import email.utils
import itertools
import time
from email.message import EmailMessage

import pytest

from capture.models import ClientEmailDomain
from tests.capture.dovecot import Dovecot
from tests.factories import StakeholderFactory

CAPTURE = "keyline@firm.example"
_ids = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot_server():
    server = Dovecot()
    server.start()
    yield server
    server.cleanup()


@pytest.fixture
def mailbox(dovecot_server, settings):
    """The firm mailbox, empty, with Keyline's settings pointing at it."""
    if dovecot_server.process is None:
        dovecot_server.start()
    dovecot_server.empty()
    settings.CAPTURE_IMAP_HOST = "127.0.0.1"
    settings.CAPTURE_IMAP_PORT = dovecot_server.port
    settings.CAPTURE_IMAP_SECURITY = "none"
    settings.CAPTURE_IMAP_USER = dovecot_server.user
    settings.CAPTURE_IMAP_PASSWORD = dovecot_server.password
    settings.CAPTURE_IMAP_OAUTH_TOKEN = ""
    settings.CAPTURE_ADDRESS = CAPTURE
    settings.CAPTURE_TIMEOUT_SECONDS = 5
    return dovecot_server


def message_id() -> str:
    return f"<m{next(_ids)}.{time.time()}@mail.example>"


def mail(
    *,
    sender: str,
    to: list[str],
    cc: list[str] = (),
    subject: str = "Quarterly review",
    body: str = "Thanks for the meeting.",
    when: datetime.datetime | None = None,
    mid: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    msg["Date"] = email.utils.format_datetime(when or datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1))
    msg["Message-ID"] = mid or message_id()
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg


def forward(original: EmailMessage, *, by: str, inline: bool = False) -> bytes:
    """A partner forwards `original` to the firm mailbox, as an attachment (or inline)."""
    outer = EmailMessage()
    outer["From"] = by
    outer["To"] = CAPTURE
    outer["Subject"] = f"Fwd: {original['Subject']}"
    outer["Date"] = email.utils.format_datetime(datetime.datetime.now(datetime.UTC))
    outer["Message-ID"] = message_id()
    if inline:
        outer.set_content(
            "FYI\n\n---------- Forwarded message ---------\n"
            f"From: {original['From']}\nDate: {original['Date']}\nSubject: {original['Subject']}\n"
            f"To: {original['To']}\n\n{original.get_content()}"
        )
    else:
        outer.set_content("FYI")
        outer.add_attachment(original)
    return bytes(outer)


def _cn(address: str) -> str:
    """james.wilde@… → James Wilde, as calendar programs name attendees."""
    return address.split("@")[0].replace(".", " ").title()


def invite(
    *,
    organizer: str,
    attendees: list[str],
    uid: str = "meeting-1@firm.example",
    start: datetime.datetime | None = None,
    sequence: int = 0,
    method: str = "REQUEST",
    summary: str = "Strategy meeting",
    sender: str | None = None,
) -> bytes:
    start = start or (datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=2))
    stamp = start.strftime("%Y%m%dT%H%M%SZ")
    end = (start + datetime.timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Tests//EN", f"METHOD:{method}", "BEGIN:VEVENT",
        f"UID:{uid}", f"SEQUENCE:{sequence}", f"DTSTAMP:{stamp}", f"DTSTART:{stamp}", f"DTEND:{end}",
        f"SUMMARY:{summary}", f"ORGANIZER;CN=Organiser:mailto:{organizer}",
        *[f"ATTENDEE;CN={_cn(a)};ROLE=REQ-PARTICIPANT:mailto:{a}" for a in attendees],
        *(["STATUS:CANCELLED"] if method == "CANCEL" else []),
        "END:VEVENT", "END:VCALENDAR",
    ]  # fmt: skip
    msg = EmailMessage()
    msg["From"] = sender or organizer
    msg["To"] = ", ".join([CAPTURE, *attendees])
    msg["Subject"] = ("Cancelled: " if method == "CANCEL" else "Invitation: ") + summary
    msg["Date"] = email.utils.format_datetime(datetime.datetime.now(datetime.UTC))
    msg["Message-ID"] = message_id()
    msg.set_content(f"{summary}\n")
    msg.add_alternative("\r\n".join(lines) + "\r\n", subtype="calendar", params={"method": method})
    return bytes(msg)


@pytest.fixture
def harbour(normal_client):
    """The normal client, with its mail domain and a known stakeholder."""
    ClientEmailDomain.objects.create(client=normal_client, domain="harbour.example")
    StakeholderFactory(client=normal_client, name="Hannah Chair", email="hannah@harbour.example")
    return normal_client


@pytest.fixture
def nightjar(confidential_client):
    ClientEmailDomain.objects.create(client=confidential_client, domain="nightjar.example")
    StakeholderFactory(client=confidential_client, name="Nina Secret", email="nina@nightjar.example")
    return confidential_client
