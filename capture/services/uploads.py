"""Uploaded .ics and .eml files, captured like the mailbox's messages (for firms that export mail and
calendars rather than forward them). The uploader is the firm sender."""

from __future__ import annotations

import hashlib
from email.message import Message

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from accounts.models import User
from capture.models import CapturedMessage, Source
from capture.pipeline.message import MessageView, parse_headers, view_of_bytes
from capture.services.messages import message_capture


def upload_capture(*, actor: User, upload: UploadedFile) -> CapturedMessage:
    raw = upload.read(settings.CAPTURE_UPLOAD_MAX_BYTES + 1)
    if len(raw) > settings.CAPTURE_UPLOAD_MAX_BYTES:
        raise ValidationError({"file": "The file is too large."})
    name = (upload.name or "").lower()
    if name.endswith(".ics"):
        return calendar_file_capture(actor=actor, data=raw)
    if not raw.strip() or b":" not in raw.split(b"\n", 1)[0]:
        raise ValidationError({"file": "This is not a saved email (.eml): it has no mail headers."})
    view = view_of_bytes(raw, settings.CAPTURE_MAX_PART_BYTES)
    return message_capture(parse_headers(raw), lambda: view, source=Source.UPLOAD, uploader=actor)


def calendar_file_capture(*, actor: User, data: bytes) -> CapturedMessage:
    """An .ics file: an invite or a whole calendar export; each event by its UID, as from the mailbox."""
    if b"BEGIN:VCALENDAR" not in data[:4096].upper():
        raise ValidationError({"file": "This is not a calendar (.ics) file: it has no BEGIN:VCALENDAR."})
    headers = Message()
    headers["Message-ID"] = f"<upload-{hashlib.sha256(data).hexdigest()}@keyline>"
    headers["From"] = actor.email
    view = MessageView(headers=headers, calendars=[data], size=len(data))
    return message_capture(headers, lambda: view, source=Source.UPLOAD, uploader=actor)
