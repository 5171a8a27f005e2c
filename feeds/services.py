"""Feed runs: keep an uploaded file, save its column mapping for the source, queue its dry run or
import, and take a batch from the API. The engine (feeds.engine) does the reading and writing."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from accounts.access import FEEDS_REFUSED, editable_clients, may_run_feeds, require
from accounts.models import Client, FeeRecord, User
from accounts.services import audited_write
from core.queueing import send_task_on_commit
from feeds import engine
from feeds.kinds import COLUMNS, mapping_errors, suggest_mapping
from feeds.models import FeedKind, FeedRun, FeedSource, FeedStamp, FeeLine, RunMode, RunStatus
from feeds.reading import FeedFileError, Table, open_table

logger = logging.getLogger(__name__)
ALIVE_SECONDS = 15 * 60


def _limit_text(limit: int) -> str:
    return f"{limit / 1024 / 1024:,.0f} MB"


def progress_key(run_id: int) -> str:
    return f"feed-run-progress-{run_id}"


def alive_key(run_id: int) -> str:
    return f"feed-run-alive-{run_id}"


def run_is_alive(run: FeedRun) -> bool:
    """A worker is on the run: it said so within the last ALIVE_SECONDS (at its start and every few
    thousand rows). A running run that is not alive was lost with its worker, and may be retried."""
    return run.status == RunStatus.RUNNING and cache.get(alive_key(run.pk)) is not None


def _beat(run_id: int, done: int | None = None) -> None:
    cache.set(alive_key(run_id), 1, timeout=ALIVE_SECONDS)
    if done is not None:
        cache.set(progress_key(run_id), done, timeout=3600)


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
    _beat(run.pk)
    try:
        with run.file.open("rb") as raw:
            table = open_table(raw, run.original_name)
            outcome = engine.run(
                kind=run.kind,
                actor=run.created_by,
                rows=mapped_rows(table, run.mapping, run.kind),
                dry_run=run.dry_run,
                mode=run.mode,
                progress=lambda done: _beat(run.pk, done),
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
    cache.delete_many([progress_key(run.pk), alive_key(run.pk)])
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


def feed_take_value(*, actor: User, run: FeedRun, index: int) -> dict:
    """Resolve one conflict of an imported run by taking the feed's value over the Keyline edit.

    The fee figure takes the current sum of its fee lines (what the feed would write now); a client's
    field takes the value the feed sent. The value is stamped as the feed's, so the next feed updates
    it again as usual, and the change lands in the history under `actor`. Taking an already-taken
    conflict changes nothing."""
    require(may_run_feeds(actor), FEEDS_REFUSED)
    with audited_write(actor):
        run = FeedRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.DONE or not 0 <= index < len(run.conflicts):
            raise ValidationError({"conflict": "No such conflict on this run."})
        conflict = run.conflicts[index]
        if conflict.get("taken"):
            return conflict
        client = editable_clients(actor).filter(pk=conflict.get("client_id")).first()
        if client is None:
            raise ValidationError({"conflict": "You may not change this client."})
        if conflict.get("kind") == FeedKind.FEES:
            _take_fee(client, conflict)
        elif conflict.get("kind") == FeedKind.CLIENTS:
            _take_client_field(client, conflict)
        else:
            raise ValidationError({"conflict": "This conflict predates taking the feed's value: send the feed again."})
        conflict.update(taken=True, taken_by=str(actor), taken_at=timezone.now().isoformat())
        run.save(update_fields=["conflicts"])
    return conflict


def _take_fee(client: Client, conflict: dict) -> None:
    from feeds.writers import FEE_RECORD

    key = {
        "client": client,
        "service_line_id": conflict["service_line_id"],
        "financial_year": conflict["financial_year"],
    }
    total = FeeLine.objects.filter(**key).aggregate(total=Sum("billed_reporting"))["total"] or Decimal(0)
    record = FeeRecord.objects.filter(**key).first()
    if record is None:
        record = FeeRecord.objects.create(**key, amount=total)
    elif record.amount != total:
        record.amount = total
        record.save(update_fields=["amount"])
    FeedStamp.objects.update_or_create(
        model=FEE_RECORD, object_id=record.pk, field="amount", defaults={"value": str(record.amount)}
    )


def _take_client_field(client: Client, conflict: dict) -> None:
    from feeds.client_rows import CLIENT, FIELDS

    field = conflict.get("field_name", "")
    if field not in FIELDS:
        raise ValidationError({"conflict": "This field cannot be taken from the feed."})
    value: Any = int(conflict["feed"]) if field.endswith("_id") else conflict["feed"]
    Client.objects.filter(pk=client.pk).update(**{field: value}, version=F("version") + 1, updated_at=timezone.now())
    FeedStamp.objects.update_or_create(model=CLIENT, object_id=client.pk, field=field, defaults={"value": str(value)})


def feed_retry(*, actor: User, run: FeedRun) -> FeedRun:
    """Queue again a run that was lost: a worker that stopped mid-run wrote nothing (every run is one
    transaction), so the run is claimed back from “running” and done afresh. A run still being worked
    on (its progress moved within the last few minutes) is left alone; retrying twice queues once."""
    require(may_run_feeds(actor), FEEDS_REFUSED)
    if run.created_by_id != actor.pk:
        raise ValidationError({"retry": "Only the person who sent this file can retry it."})
    if not run.file:
        raise ValidationError({"retry": "This run's file is no longer kept: upload it again."})
    if run_is_alive(run):
        raise ValidationError({"retry": "This run is still being worked on."})
    with transaction.atomic():
        claimed = FeedRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.QUEUED, message=""
        )
        if not claimed:
            raise ValidationError({"retry": "Only a run that stopped on its way can be retried."})
        send_task_on_commit(_task(), run.pk)
    run.refresh_from_db()
    return run
