"""Feed test helpers: files as a practice-management system would export them."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from feeds import services
from feeds.models import FeedRun

THREE_E_HEADERS = ["Bill Line ID", "Client Number", "Practice Area", "Bill Date", "Fees Billed", "Currency"]


def csv_bytes(headers: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(actor, kind: str, content: bytes, name: str = "export.csv", source: str = "") -> FeedRun:
    return services.feed_upload(
        actor=actor, kind=kind, upload=SimpleUploadedFile(name, content, "text/csv"), source_name=source
    )


def check_and_import(actor, run: FeedRun, mode: str = "all") -> FeedRun:
    """Map as suggested, dry-run, then import (Celery runs eagerly in tests)."""
    check(actor, run)
    assert run.status == "checked", (run.status, run.message, run.errors[:3])
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.feed_import(actor=actor, run=run, mode=mode)
    run.refresh_from_db()
    return run


def check(actor, run: FeedRun, mapping: dict | None = None) -> FeedRun:
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.feed_map(actor=actor, run=run, mapping=run.mapping if mapping is None else mapping)
    run.refresh_from_db()
    return run
