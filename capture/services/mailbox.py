"""Polling the firm mailbox: one run at a time, a batch of messages each in its own transaction, each
moved out of the inbox only after its outcome committed. A server that is down is retried with
exponential backoff, and its state shown on the admin status page."""

from __future__ import annotations

import datetime
import logging
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils import timezone
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from capture.models import MailboxState, Outcome
from capture.pipeline import imap
from capture.pipeline.message import MessageView, parse_headers
from capture.services.batch import batch_capture
from capture.services.directory import batch_directory
from capture.services.meetings import meetings_hold_due

logger = logging.getLogger(__name__)

LOCK_ID = 0x6B6C_6361  # pg advisory lock: one poll at a time across workers
MOVE_EVERY = 50  # messages moved per MOVE command; a lost run leaves at most these to be recognised again
FAILURES = (IMAPClientError, OSError, socket.timeout, ssl.SSLError)


@dataclass
class PollResult:
    read: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    error: str = ""
    skipped_for_backoff: bool = False


def capture_enabled() -> bool:
    return bool(settings.CAPTURE_IMAP_HOST)


def backoff_seconds(failures: int) -> int:
    """60 s after the first failure, doubling, at most CAPTURE_MAX_BACKOFF_SECONDS."""
    return min(settings.CAPTURE_MAX_BACKOFF_SECONDS, 60 * 2 ** max(0, failures - 1))


def mailbox_poll(*, force: bool = False) -> PollResult:
    """Read one batch from the mailbox. `force` ignores the backoff (the admin's "try now")."""
    result = PollResult()
    if not capture_enabled():
        return result
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_ID])
        if not cursor.fetchone()[0]:
            result.skipped_for_backoff = True
            return result
    try:
        state = MailboxState.load()
        now = timezone.now()
        if not force and state.next_attempt_at and state.next_attempt_at > now:
            result.skipped_for_backoff = True
            return result
        state.last_attempt_at = now
        state.save(update_fields=["last_attempt_at"])
        try:
            _read_batch(result)
        except FAILURES as exc:
            result.error = f"{type(exc).__name__}: {exc}"[:300] or type(exc).__name__
            _failed(state, result.error)
            logger.warning("Mailbox capture failed: %s", result.error)
        else:
            _succeeded(state, result.read)
        meetings_hold_due()
        return result
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])


def _failed(state: MailboxState, error: str) -> None:
    state.failures += 1
    state.last_error = error
    state.next_attempt_at = timezone.now() + datetime.timedelta(seconds=backoff_seconds(state.failures))
    state.save(update_fields=["failures", "last_error", "next_attempt_at"])


def _succeeded(state: MailboxState, read: int) -> None:
    state.failures = 0
    state.last_error = ""
    state.next_attempt_at = None
    state.last_success_at = timezone.now()
    state.last_batch = read
    state.save(update_fields=["failures", "last_error", "next_attempt_at", "last_success_at", "last_batch"])


def _read_batch(result: PollResult) -> None:
    processed, quarantine = settings.CAPTURE_PROCESSED_FOLDER, settings.CAPTURE_QUARANTINE_FOLDER
    with imap.mailbox() as client:
        processed, quarantine = imap.ensure_folders(client, processed, quarantine)
        client.select_folder(settings.CAPTURE_IMAP_FOLDER)
        uids = sorted(client.search(["NOT", "DELETED"]))[: settings.CAPTURE_BATCH]
        if not uids:
            return
        heads = client.fetch(uids, imap.HEAD)
        with batch_directory():
            _capture_all(client, uids, heads, result, processed, quarantine)


def _capture_all(
    client: IMAPClient, uids: list[int], heads: dict, result: PollResult, processed: str, quarantine: str
) -> None:
    """The batch captured together (`batch_capture`), then moved out of the folder: nothing is moved
    before its outcome committed."""
    max_part = settings.CAPTURE_MAX_PART_BYTES
    present = [uid for uid in uids if uid in heads]  # others were removed meanwhile
    wholes: dict[int, bytes] = {}

    def load_many(indexes: list[int]) -> None:
        small = [present[i] for i in indexes if heads[present[i]].get(b"RFC822.SIZE", 0) <= max_part]
        for start in range(0, len(small), MOVE_EVERY):
            chunk = small[start : start + MOVE_EVERY]
            for uid, data in client.fetch(chunk, [b"BODY.PEEK[]"]).items():
                if data.get(b"BODY[]") is not None:
                    wholes[uid] = data[b"BODY[]"]

    def loader(uid: int) -> Callable[[], MessageView]:
        def load() -> MessageView:
            whole = wholes.pop(uid, None)
            if whole is not None:
                return imap.view_of_bytes(whole, max_part)
            return imap.load_view(client, uid, heads[uid], max_part)

        return load

    messages = [(parse_headers(heads[uid][b"BODY[HEADER]"]), loader(uid)) for uid in present]
    captured = batch_capture(messages, load_many=load_many)
    done: list[int] = []
    held: list[int] = []
    for uid, line in zip(present, captured, strict=True):
        result.read += 1
        result.outcomes[line.outcome] = result.outcomes.get(line.outcome, 0) + 1
        (held if line.outcome == Outcome.QUARANTINED else done).append(uid)
    for start in range(0, len(done), MOVE_EVERY):
        imap.move(client, done[start : start + MOVE_EVERY], processed)
    if held:
        imap.move(client, held, quarantine)


def new_mail_wait(seconds: int) -> bool:
    """Wait on IMAP IDLE until the server announces new mail or `seconds` pass: True when it announced.

    A server without IDLE (or one that is down) is waited on for the same time, as polling would."""
    try:
        with imap.mailbox() as client:
            client.select_folder(settings.CAPTURE_IMAP_FOLDER, readonly=True)
            if not client.has_capability("IDLE"):
                time.sleep(seconds)
                return False
            client.idle()
            try:
                responses = client.idle_check(timeout=seconds)
            finally:
                client.idle_done()
            return any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)
    except FAILURES as exc:
        logger.warning("Mailbox IDLE failed: %s", exc)
        time.sleep(seconds)
        return False


def mailbox_watch(*, idle_seconds: int = 290, rounds: int | None = None) -> int:
    """IDLE instead of polling: read what is waiting, wait for the server to announce new mail (re-armed
    before the 29 minutes RFC 2177 allows), read again. Backoff applies as for polls. `rounds` bounds the
    loop (tests); returns the messages read."""
    read = 0
    done = 0
    while rounds is None or done < rounds:
        done += 1
        result = mailbox_poll()
        read += result.read
        if result.read >= settings.CAPTURE_BATCH:
            continue  # more waiting: read the next batch straight away
        if result.error or result.skipped_for_backoff:
            state = MailboxState.load()
            wait = (state.next_attempt_at - timezone.now()).total_seconds() if state.next_attempt_at else 5
            time.sleep(max(1.0, min(wait, idle_seconds)))
            continue
        if rounds is not None and done >= rounds:
            break
        new_mail_wait(idle_seconds)
    return read
