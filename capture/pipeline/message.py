"""What Keyline reads of one message, whether it came whole (an upload) or in pieces over IMAP
(headers first; only small text and calendar parts, never attachments). Pure: no database."""

from __future__ import annotations

import datetime
import email
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import Message

Address = tuple[str, str]  # (display name, lower-cased address)

# Defects that mean the MIME structure itself cannot be trusted: a message with one is skipped.
FATAL_DEFECTS = {
    "StartBoundaryNotFoundDefect",
    "CloseBoundaryNotFoundDefect",
    "MultipartInvariantViolationDefect",
    "NoBoundaryInMultipartDefect",
    "MissingHeaderBodySeparatorDefect",
}
AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto[- ]?reply|out of (the )?office|abwesenheitsnotiz|réponse automatique)\b",
    re.IGNORECASE,
)
FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|fw|tr|wg)\s*:\s*", re.IGNORECASE)
REPLY_SUBJECT = re.compile(r"^\s*((re|aw|sv)\s*:\s*)+", re.IGNORECASE)
MAX_HOPS = 30  # more Received headers than this: a mail loop


@dataclass
class MessageView:
    headers: Message
    calendars: list[bytes] = field(default_factory=list)  # text/calendar and .ics parts
    text: str = ""  # the first text/plain part, if small enough to read
    original_text: str = ""  # the first text/plain part of a message forwarded as an attachment
    original: Message | None = None  # headers of a message forwarded as an attachment
    size: int = 0
    complete: bool = False  # read whole (small mail, uploads), not part by part


def parse_headers(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=policy.compat32)


def header_text(value: object) -> str:
    """A header as readable text, whatever its encoding: undecodable bytes become U+FFFD, never an error."""
    if value is None:
        return ""
    if isinstance(value, email.header.Header):
        value = str(value)
    text = str(value)
    try:
        decoded = str(make_header(decode_header(text)))
    except (LookupError, UnicodeError, ValueError, email.errors.HeaderParseError):
        decoded = text
    decoded = decoded.encode("utf-8", "replace").decode("utf-8", "replace")
    return " ".join(decoded.replace("\udcff", "\ufffd").split())


def _clean(text: str) -> str:
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text) if text else ""


def addresses(message: Message, *names: str) -> list[Address]:
    """The addresses in the named headers, lower-cased, without duplicates; unreadable ones dropped."""
    found: list[Address] = []
    seen: set[str] = set()
    values = [header_text(v) for name in names for v in (message.get_all(name) or [])]
    for name, address in email.utils.getaddresses(values):
        address = address.strip().lower()
        if "@" not in address or address in seen or not _plausible(address):
            continue
        seen.add(address)
        found.append((_clean(name.strip().strip('"')), address))
    return found


def _plausible(address: str) -> bool:
    local, _, domain = address.rpartition("@")
    return bool(local) and "." in domain and not re.search(r"[\s<>()\[\],;:\\\"\ufffd]", address)


def first_address(message: Message, *names: str) -> Address | None:
    for name in names:
        found = addresses(message, name)
        if found:
            return found[0]
    return None


def message_id(message: Message) -> str:
    """The Message-ID without its brackets; a message without one gets a stable key from its headers."""
    raw = header_text(message.get("Message-ID")).strip()
    if raw:
        return _fit(raw.strip("<>"))
    basis = "\n".join(header_text(message.get(h)) for h in ("From", "To", "Date", "Subject"))
    return "no-id-" + hashlib.sha256(basis.encode()).hexdigest()


def _fit(key: str, limit: int = 255) -> str:
    return key if len(key) <= limit else "sha256-" + hashlib.sha256(key.encode()).hexdigest()


def sent_at(message: Message) -> datetime.datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(header_text(message.get("Date")))
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return when


def subject(message: Message) -> str:
    return _clean(header_text(message.get("Subject")))[:500]


def bare_subject(text: str) -> str:
    """The subject without Fwd:/Re: prefixes: the interaction's summary."""
    previous = None
    while previous != text:
        previous = text
        text = FORWARD_SUBJECT.sub("", REPLY_SUBJECT.sub("", text))
    return text.strip() or "(no subject)"


def auto_reply_reason(message: Message) -> str:
    auto = header_text(message.get("Auto-Submitted")).lower()
    if auto and auto != "no":
        return f"Automatic message (Auto-Submitted: {auto[:40]})."
    precedence = header_text(message.get("Precedence")).lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"Bulk or automatic message (Precedence: {precedence})."
    if message.get("X-Autoreply") or message.get("X-Autorespond") or message.get("X-Auto-Response-Suppress") == "All":
        return "Automatic reply."
    if AUTO_REPLY_SUBJECT.search(subject(message)):
        return "Out-of-office or automatic reply."
    return ""


def loop_reason(message: Message, own_address: str) -> str:
    if message.get("X-Keyline-Captured"):
        return "Mail loop: the message was sent by Keyline itself."
    if len(message.get_all("Received") or []) > MAX_HOPS:
        return f"Mail loop: more than {MAX_HOPS} relays."
    sender = first_address(message, "From")
    if own_address and sender and sender[1] == own_address.lower():
        return "Mail loop: the message comes from the capture address itself."
    return ""


def malformed_reason(message: Message) -> str:
    """From the headers alone: a message must say who sent it."""
    if first_address(message, "From") is None:
        return "Malformed message: no readable From address."
    return ""


def broken_mime_reason(view: MessageView) -> str:
    """From the whole message (when it was read whole): a MIME structure that cannot be trusted."""
    if not view.complete:
        return ""
    defects = {type(d).__name__ for part in view.headers.walk() for d in getattr(part, "defects", [])}
    fatal = sorted(defects & FATAL_DEFECTS)
    return "Malformed message: " + ", ".join(fatal) + "." if fatal else ""


# --- Whole messages (uploads, small mail) --------------------------------------------------------


def _decoded_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def view_of_bytes(raw: bytes, max_part: int) -> MessageView:
    """Read a whole message: its headers, its calendar parts, its first text part, a forwarded original."""
    message = email.message_from_bytes(raw, policy=policy.compat32)
    view = MessageView(headers=message, size=len(raw), complete=True)
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype == "message/rfc822" and view.original is None:
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                view.original = inner[0]
                for inner_part in inner[0].walk():
                    _collect(view, inner_part, max_part, inner=True)
            continue
        _collect(view, part, max_part)
    return view


def _collect(view: MessageView, part: Message, max_part: int, *, inner: bool = False) -> None:
    ctype = part.get_content_type()
    filename = (part.get_filename() or "").lower()
    if part.is_multipart():
        return
    if ctype in {"text/calendar", "application/ics"} or filename.endswith(".ics"):
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes) and len(payload) <= max_part:
            view.calendars.append(payload)
    elif ctype == "text/plain" and not filename and not (view.original_text if inner else view.text):
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes) and len(payload) <= max_part:
            if inner:
                view.original_text = _decoded_text(part)
            else:
                view.text = _decoded_text(part)


# --- Inline forwards -----------------------------------------------------------------------------

FORWARD_MARKER = re.compile(
    r"^[-\s]*(begin forwarded message|forwarded message|original message|weitergeleitete nachricht)[-:\s]*$",
    re.IGNORECASE | re.MULTILINE,
)
FORWARD_FIELD = re.compile(r"^\s*(from|von|de|sent|date|datum|to|an|à|cc|subject|betreff|objet)\s*:\s*(.*)$", re.I)
FIELD_NAMES = {
    "von": "from", "de": "from", "sent": "date", "datum": "date", "an": "to", "à": "to",
    "betreff": "subject", "objet": "subject",
}  # fmt: skip


def inline_forward(text: str) -> Message | None:
    """The header block of a message forwarded inline (Outlook, Gmail, Apple Mail), as headers."""
    match = FORWARD_MARKER.search(text or "")
    lines = text[match.end() :].splitlines() if match else []
    if not match:
        # Outlook forwards with only a rule line and a From: block
        outlook = re.search(r"^_{10,}\s*$", text or "", re.MULTILINE)
        if not outlook:
            return None
        lines = text[outlook.end() :].splitlines()
    fields: dict[str, str] = {}
    current = ""
    for line in lines[:20]:
        if not line.strip():
            if fields:
                break
            continue
        hit = FORWARD_FIELD.match(line)
        if hit:
            current = FIELD_NAMES.get(hit.group(1).lower(), hit.group(1).lower())
            fields[current] = hit.group(2).strip()
        elif current and line.startswith((" ", "\t")):
            fields[current] += " " + line.strip()
    if "from" not in fields:
        return None
    original = Message()
    for name in ("from", "to", "cc", "subject", "date"):
        if name in fields:
            # Outlook writes "Name [mailto:a@b]" or "Name <a@b>"
            original[name.title()] = re.sub(r"\[mailto:([^\]]+)\]", r"<\1>", fields[name])
    return original


def original_key(original: Message) -> str:
    """What makes a forwarded original one interaction: its Message-ID, or its sender, subject and date."""
    if original.get("Message-ID"):
        return message_id(original)
    sender = first_address(original, "From")
    when = sent_at(original)
    basis = "|".join(
        [sender[1] if sender else "", bare_subject(subject(original)).lower(), when.isoformat() if when else ""]
    )
    return "fwd-" + hashlib.sha256(basis.encode()).hexdigest()
