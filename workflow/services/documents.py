"""Documents on a client, plan, panel appointment or review: checked, scanned, versioned, served by id.

An upload is refused before anything is stored when it is too large, of a type not taken, or when
its content is not what its extension says (a .pdf that is really a program). With a scanner
configured, it is scanned before it is stored: an infected file is refused and never kept. A version
stored while the scanner was down waits for its scan and cannot be downloaded until it is clean.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
import os
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Max

from accounts.models import Client, User
from accounts.services import audited_write
from accounts.validators import sensible_date
from core.queueing import send_task_on_commit
from workflow import scanner
from workflow.models import Document, DocumentVersion, ScanStatus

log = logging.getLogger(__name__)

# Extension -> the content types its bytes may be sniffed as (None: plain text, checked as UTF-8).
ALLOWED_TYPES: dict[str, set[str] | None] = {
    "pdf": {"application/pdf"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    "pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    "doc": {"application/msword"},
    "xls": {"application/vnd.ms-excel"},
    "ppt": {"application/vnd.ms-powerpoint"},
    "png": {"image/png"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "txt": None,
    "csv": None,
}
TEXT_TYPES = {"txt": "text/plain", "csv": "text/csv"}


def max_bytes() -> int:
    return settings.DOCUMENT_MAX_BYTES


@dataclass(frozen=True)
class Checked:
    data: bytes
    filename: str
    content_type: str


def check_upload(upload: UploadedFile) -> Checked:
    """The file's bytes and true content type, or a ValidationError on `file` saying what is wrong."""
    name = os.path.basename(upload.name or "").strip()
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_TYPES:
        taken = ", ".join(f".{ext}" for ext in ALLOWED_TYPES)
        raise ValidationError({"file": f"Files of this type are not taken. Upload one of: {taken}."})
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError({"file": f"The file is larger than the limit of {limit // (1024 * 1024)} MB."})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"file": f"The file is larger than the limit of {limit // (1024 * 1024)} MB."})
    if not data:
        raise ValidationError({"file": "The file is empty."})
    expected = ALLOWED_TYPES[extension]
    sniffed = filetype.guess_mime(data)
    if expected is None:
        if sniffed is not None or b"\0" in data[:8192] or not _is_utf8(data):
            raise ValidationError({"file": f"This file's content is not the text its .{extension} name says."})
        content_type = TEXT_TYPES[extension]
    else:
        if sniffed not in expected:
            raise ValidationError(
                {"file": f"This file's content does not match its .{extension} name; it was not accepted."}
            )
        content_type = sniffed
    return Checked(data, name[:200], content_type)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _scan_before_store(data: bytes) -> tuple[str, str]:
    """(status, detail) of the scan; an infected file is refused here and never stored."""
    if not scanner.configured():
        return ScanStatus.SKIPPED, ""
    try:
        verdict = scanner.scan(data)
    except scanner.ScannerUnavailable as exc:
        log.warning("Upload stored unscanned for now: %s", exc)
        return ScanStatus.PENDING, "Waiting for the virus scanner."
    if not verdict.clean:
        raise ValidationError({"file": f"This file contains a virus ({verdict.signature}) and was refused."})
    return ScanStatus.CLEAN, ""


def _check_dates(**dates: datetime.date | None) -> None:
    for field, value in dates.items():
        if value is not None:
            try:
                sensible_date(value)
            except ValidationError as exc:
                raise ValidationError({field: exc.messages}) from exc


def document_create(
    *,
    actor: User,
    client: Client,
    subject: models.Model,
    upload: UploadedFile,
    title: str,
    kind: str,
    expires_on: datetime.date | None = None,
    renewal_on: datetime.date | None = None,
) -> Document:
    checked = check_upload(upload)
    _check_dates(expires_on=expires_on, renewal_on=renewal_on)
    document = Document(
        client=client,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        title=(title or checked.filename).strip()[:200],
        kind=kind,
        expires_on=expires_on,
        renewal_on=renewal_on,
        created_by=actor,
    )
    document.full_clean(exclude=["subject_type", "subject_id", "created_by"])
    status, detail = _scan_before_store(checked.data)
    with audited_write(actor):
        document.save()
        _store_version(actor, document, checked, status, detail)
    return document


def version_add(*, actor: User, document: Document, upload: UploadedFile) -> DocumentVersion:
    """A new version of `document`; older versions stay in its history."""
    checked = check_upload(upload)
    status, detail = _scan_before_store(checked.data)
    with audited_write(actor):
        Document.objects.select_for_update().filter(pk=document.pk).first()  # number versions one at a time
        return _store_version(actor, document, checked, status, detail)


def _store_version(actor: User, document: Document, checked: Checked, status: str, detail: str) -> DocumentVersion:
    number = (document.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        filename=checked.filename,
        content_type=checked.content_type,
        size=len(checked.data),
        sha256=hashlib.sha256(checked.data).hexdigest(),
        scan_status=status,
        scan_detail=detail,
        uploaded_by=actor,
    )
    version.file.save(checked.filename, ContentFile(checked.data), save=False)
    stored = version.file.name or ""
    try:
        version.save()
    except Exception:
        version.file.storage.delete(stored)
        raise
    if status == ScanStatus.PENDING:
        from workflow import tasks

        send_task_on_commit(tasks.scan_document, version.pk)
    return version


def version_scan(*, version_id: int) -> DocumentVersion | None:
    """Scan a version stored while the scanner was down; an infected one loses its file."""
    version = DocumentVersion.objects.filter(pk=version_id, scan_status=ScanStatus.PENDING).first()
    if version is None:
        return None
    with version.file.open("rb") as handle:
        data = handle.read()
    verdict = scanner.scan(data)  # unavailable: raises, and the task is tried again later
    if verdict.clean:
        version.scan_status, version.scan_detail = ScanStatus.CLEAN, ""
    else:
        version.file.delete(save=False)
        version.scan_status, version.scan_detail = ScanStatus.INFECTED, verdict.signature[:200]
    version.save(update_fields=["scan_status", "scan_detail", "file"])
    return version


def document_update(
    *, actor: User, document: Document, title: str, expires_on: datetime.date | None, renewal_on: datetime.date | None
) -> Document:
    _check_dates(expires_on=expires_on, renewal_on=renewal_on)
    if not title.strip():
        raise ValidationError({"title": "Give the document a title."})
    with audited_write(actor):
        document.title, document.expires_on, document.renewal_on = title.strip()[:200], expires_on, renewal_on
        document.save(update_fields=["title", "expires_on", "renewal_on"])
    return document


def document_delete(*, actor: User, document: Document) -> None:
    """Delete a document and every stored version's file (after the delete commits)."""
    versions = [v for v in document.versions.all() if v.file]
    with audited_write(actor):
        document.delete()
        for version in versions:
            transaction.on_commit(functools.partial(version.file.storage.delete, version.file.name or ""), robust=True)
