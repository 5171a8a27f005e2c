"""Feed runs: keep an uploaded file, save its column mapping for the source, queue its dry run or
import, and take a batch from the API. The engine (feeds.engine) does the reading and writing."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.access import FEEDS_REFUSED, may_run_feeds, require
from accounts.models import User
from core.queueing import send_task_on_commit
from feeds import engine
from feeds.kinds import COLUMNS, mapping_errors, suggest_mapping
from feeds.models import FeedKind, FeedRun, FeedSource, RunMode, RunStatus
from feeds.reading import FeedFileError, Table, open_table

logger = logging.getLogger(__name__)


def _limit_text(limit: int) -> str:
    return f"{limit / 1024 / 1024:,.0f} MB"


def progress_key(run_id: int) -> str:
    return f"feed-run-progress-{run_id}"


def run_progress(run: FeedRun) -> int:
    return int(cache.get(progress_key(run.pk)) or run.rows_done)


def feed_upload(*, actor: User, kind: str, upload: UploadedFile, source_name: str = "") -> FeedRun:
    """Keep an uploaded file and read its headers, for the mapping step. A file too large, in the
    wrong encoding or unreadable is refused here, with the reason, and nothing is kept."""
    require(may_run_feeds(actor), FEEDS_REFUSED)
    if kind not in FeedKind.values:
        raise ValidationError({"kind": "Choose what the file holds."})
    limit = settings.FEEDS_MAX_UPLOAD_BYTES
    if upload.size and upload.size > limit:
        size, most = _limit_text(upload.size), _limit_text(limit)
        raise ValidationError({"file": f"The file is {size}; the most a feed takes is {most}. Split it."})
    try:
        table = open_table(upload, upload.name or "")
    except FeedFileError as error:
        raise ValidationError({"file": str(error)}) from error
    source = None
    if source_name.strip():
        source, _ = FeedSource.objects.get_or_create(
            name=source_name.strip()[:100], defaults={"kind": kind, "created_by": actor}
        )
        if source.kind != kind:
            raise ValidationError({"source": f"“{source.name}” is a source of {source.get_kind_display().lower()}."})
    run = FeedRun(
        kind=kind,
        source=source,
        created_by=actor,
        original_name=(upload.name or "")[:255],
        encoding=table.encoding,
        mapping=suggest_mapping(kind, table.headers, source.mapping if source else None),
    )
    upload.seek(0)
    run.file.save(upload.name or "feed.csv", upload, save=False)
    run.save()
    return run


def feed_headers(run: FeedRun) -> list[str]:
    with run.file.open("rb") as raw:
        return open_table(raw, run.original_name).headers


def mapped_rows(table: Table, mapping: dict[str, str], kind: str) -> Iterator[tuple[int, dict[str, str]]]:
    index = {field: table.headers.index(header) for field, header in mapping.items() if header in table.headers}
    wanted = [c.name for c in COLUMNS[kind] if c.name in index]
    for line, cells in table.rows:
        yield line, {name: cells[index[name]] if index[name] < len(cells) else "" for name in wanted}


def feed_map(*, actor: User, run: FeedRun, mapping: dict[str, str]) -> FeedRun:
    """Confirm the column mapping (saved for the source, so its next file maps itself) and queue the dry run."""
    require(may_run_feeds(actor), FEEDS_REFUSED)
    if run.status not in {RunStatus.UPLOADED, RunStatus.CHECKED, RunStatus.REFUSED}:
        raise ValidationError({"mapping": "This file is no longer waiting for its mapping."})
    mapping = {field: header for field, header in mapping.items() if header}
    errors = mapping_errors(run.kind, mapping, feed_headers(run))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        run.mapping, run.dry_run, run.status, run.message = mapping, True, RunStatus.QUEUED, ""
        run.save(update_fields=["mapping", "dry_run", "status", "message"])
        if run.source_id:
            FeedSource.objects.filter(pk=run.source_id).update(mapping=mapping, updated_at=timezone.now())
        send_task_on_commit(_task(), run.pk)
    return run


def feed_import(*, actor: User, run: FeedRun, mode: str) -> FeedRun:
    """Queue the import of a checked file: all or nothing, or only its valid rows."""
    require(may_run_feeds(actor), FEEDS_REFUSED)
    if mode not in RunMode.values:
        raise ValidationError({"mode": "Choose all or nothing, or only the valid rows."})
    with transaction.atomic():
        claimed = FeedRun.objects.filter(pk=run.pk, status=RunStatus.CHECKED).update(
            status=RunStatus.QUEUED, dry_run=False, mode=mode
        )
        if not claimed:
            raise ValidationError({"mode": "This file is not waiting to be imported."})
        send_task_on_commit(_task(), run.pk)
    run.refresh_from_db()
    return run


def _task() -> Any:
    from feeds.tasks import run_feed

    return run_feed


def feed_run_execute(run_id: int) -> FeedRun | None:
    """Do the queued check or import of one run. A second delivery finds it claimed and does nothing."""
    if not FeedRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(status=RunStatus.RUNNING):
        return None
    run = FeedRun.objects.select_related("created_by").get(pk=run_id)
    cache.delete(progress_key(run.pk))
    try:
        with run.file.open("rb") as raw:
            table = open_table(raw, run.original_name)
            outcome = engine.run(
                kind=run.kind,
                actor=run.created_by,
                rows=mapped_rows(table, run.mapping, run.kind),
                dry_run=run.dry_run,
                mode=run.mode,
                progress=lambda done: cache.set(progress_key(run.pk), done, timeout=3600),
            )
    except FeedFileError as error:
        _finish(run, engine.Outcome(message=str(error)), RunStatus.FAILED)
    except ValidationError as error:
        _finish(run, engine.Outcome(message="; ".join(error.messages)[:500]), RunStatus.FAILED)
    except Exception:
        logger.exception("Feed run %s failed", run.pk)
        _finish(
            run,
            engine.Outcome(message="The feed stopped on an unexpected error; nothing was written."),
            RunStatus.FAILED,
        )
        raise
    else:
        status = RunStatus.CHECKED if run.dry_run else RunStatus.REFUSED if outcome.refused else RunStatus.DONE
        _finish(run, outcome, status)
    return run


def _finish(run: FeedRun, outcome: engine.Outcome, status: str) -> None:
    for name in ["rows_total", "error_rows", "created", "updated", "unchanged", "errors", "conflicts", "message"]:
        setattr(run, name, getattr(outcome, name))
    run.rows_done = outcome.rows_total
    run.status = status
    run.finished_at = timezone.now()
    run.save()
    cache.delete(progress_key(run.pk))
    if status in {RunStatus.DONE, RunStatus.FAILED}:
        name = run.file.name or ""
        if name:
            transaction.on_commit(lambda: run.file.storage.delete(name))
            FeedRun.objects.filter(pk=run.pk).update(file="")


def feed_batch(*, actor: User, kind: str, rows: Iterable[dict[str, Any]], dry_run: bool, mode: str) -> engine.Outcome:
    """A batch from the bulk API: JSON objects keyed by Keyline field names, checked or imported at once."""
    require(may_run_feeds(actor), FEEDS_REFUSED)
    names = [c.name for c in COLUMNS[kind]]

    def cells() -> Iterator[tuple[int, dict[str, str]]]:
        for number, row in enumerate(rows, 1):
            yield number, {name: "" if row.get(name) is None else str(row.get(name)) for name in names}

    outcome = engine.run(kind=kind, actor=actor, rows=cells(), dry_run=dry_run, mode=mode)
    FeedRun.objects.create(
        kind=kind,
        created_by=actor,
        original_name="API batch",
        dry_run=dry_run,
        mode=mode,
        status=RunStatus.CHECKED if dry_run else RunStatus.REFUSED if outcome.refused else RunStatus.DONE,
        rows_total=outcome.rows_total,
        rows_done=outcome.rows_total,
        error_rows=outcome.error_rows,
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        errors=outcome.errors,
        conflicts=outcome.conflicts,
        message=outcome.message,
        finished_at=timezone.now(),
    )
    return outcome
