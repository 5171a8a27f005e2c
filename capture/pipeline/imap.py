"""Reading the firm mailbox over IMAP (imapclient): headers and structure first, then only the small
text and calendar parts a message needs. Attachments are never downloaded."""

from __future__ import annotations

import base64
import binascii
import quopri
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from imapclient import IMAPClient
from imapclient.response_types import BodyData

from capture.pipeline.message import MessageView, parse_headers, view_of_bytes

HEAD = [b"RFC822.SIZE", b"BODY.PEEK[HEADER]", b"BODYSTRUCTURE"]


@contextmanager
def mailbox() -> Iterator[IMAPClient]:
    """A logged-in connection to the capture mailbox, closed on the way out."""
    security = settings.CAPTURE_IMAP_SECURITY
    context = ssl.create_default_context() if security != "none" else None
    client = IMAPClient(
        settings.CAPTURE_IMAP_HOST,
        port=settings.CAPTURE_IMAP_PORT,
        ssl=security == "ssl",
        ssl_context=context,
        timeout=settings.CAPTURE_TIMEOUT_SECONDS,
    )
    try:
        if security == "starttls":
            client.starttls(context)
        if settings.CAPTURE_IMAP_OAUTH_TOKEN:
            client.oauth2_login(settings.CAPTURE_IMAP_USER, settings.CAPTURE_IMAP_OAUTH_TOKEN)
        else:
            client.login(settings.CAPTURE_IMAP_USER, settings.CAPTURE_IMAP_PASSWORD)
        yield client
    finally:
        try:
            client.logout()
        except Exception:
            client.shutdown() if hasattr(client, "shutdown") else None


def server_folder(client: IMAPClient, folder: str) -> str:
    """A folder setting written with "/" as the server names it (Dovecot's Maildir uses ".")."""
    listed = client.list_folders("", "")
    delimiter = listed[0][1] if listed and listed[0][1] else b"/"
    text = delimiter.decode() if isinstance(delimiter, bytes) else str(delimiter)
    return folder.replace("/", text)


def ensure_folders(client: IMAPClient, *folders: str) -> list[str]:
    """The folders as the server names them, created when missing."""
    named = [server_folder(client, folder) for folder in folders]
    for folder in named:
        if not client.folder_exists(folder):
            client.create_folder(folder)
    return named


def move(client: IMAPClient, uids: list[int], folder: str) -> None:
    """MOVE where the server offers it, otherwise copy, flag deleted and expunge those messages."""
    if client.has_capability("MOVE"):
        client.move(uids, folder)
        return
    client.copy(uids, folder)
    client.delete_messages(uids)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge(uids)
    else:
        client.expunge()


@dataclass
class Part:
    section: str
    kind: str  # "calendar", "text", "original" (a forwarded message's headers) or "original_text"
    encoding: str
    charset: str


def _params(value: object) -> dict[str, str]:
    if not isinstance(value, tuple | list):
        return {}
    items = [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in value]
    return {items[i].lower(): items[i + 1] for i in range(0, len(items) - 1, 2)}


def _text(value: object) -> str:
    return value.decode("ascii", "replace").lower() if isinstance(value, bytes) else ""


def wanted_parts(structure: BodyData, max_part: int, prefix: str = "") -> list[Part]:
    """The sections worth reading: calendar parts, the first plain-text part, a forwarded message's
    headers (and its own calendar and text parts). Parts larger than `max_part` are left alone."""
    found: list[Part] = []
    texts: set[bool] = set()

    def walk(node: BodyData, section: str, inner: bool = False) -> None:
        if node.is_multipart:
            for index, child in enumerate(node[0], start=1):
                walk(child, f"{section}.{index}" if section else str(index), inner)
            return
        section = section or "1"
        major, minor = _text(node[0]), _text(node[1])
        params = _params(node[2])
        size = node[6] if isinstance(node[6], int) else 0
        name = params.get("name", "").lower()
        encoding = _text(node[5])
        if major == "message" and minor == "rfc822" and not any(p.kind == "original" for p in found):
            found.append(Part(f"{section}.HEADER", "original", "7bit", "utf-8"))
            body = node[8] if len(node) > 8 else None
            if isinstance(body, tuple) and not isinstance(body, BodyData):
                body = BodyData.create(body)  # imapclient leaves a nested message's structure raw
            if isinstance(body, BodyData):
                walk(body, section if body.is_multipart else f"{section}.1", True)
            return
        if size > max_part:
            return
        if (major, minor) in {("text", "calendar"), ("application", "ics")} or name.endswith(".ics"):
            found.append(Part(section, "calendar", encoding, params.get("charset", "utf-8")))
        elif (major, minor) == ("text", "plain") and inner not in texts and not name:
            texts.add(inner)
            kind = "original_text" if inner else "text"
            found.append(Part(section, kind, encoding, params.get("charset", "utf-8")))

    walk(structure, prefix)
    return found


def decode(data: bytes, encoding: str) -> bytes:
    try:
        if encoding == "base64":
            return base64.b64decode(data)
        if encoding == "quoted-printable":
            return quopri.decodestring(data)
    except (binascii.Error, ValueError):
        return b""
    return data


def load_view(client: IMAPClient, uid: int, head: dict, max_part: int) -> MessageView:
    """The message as the pipeline reads it: whole when it is small, otherwise part by part."""
    size = head.get(b"RFC822.SIZE", 0)
    if size <= max_part:
        whole = client.fetch([uid], [b"BODY.PEEK[]"]).get(uid, {}).get(b"BODY[]")
        if whole is not None:
            return view_of_bytes(whole, max_part)
    headers = parse_headers(head[b"BODY[HEADER]"])
    view = MessageView(headers=headers, size=head.get(b"RFC822.SIZE", 0))
    parts = wanted_parts(head[b"BODYSTRUCTURE"], max_part)
    if not parts:
        return view
    fetched = client.fetch([uid], [f"BODY.PEEK[{p.section}]" for p in parts]).get(uid, {})
    for part in parts:
        data = fetched.get(f"BODY[{part.section}]".encode()) or b""
        if part.kind == "original":
            view.original = parse_headers(data)
            continue
        body = decode(data, part.encoding)
        if part.kind == "calendar":
            view.calendars.append(body)
        else:
            try:
                text = body.decode(part.charset, "replace")
            except LookupError:
                text = body.decode("utf-8", "replace")
            setattr(view, part.kind, text)
    return view
