"""Polling the firm mailbox: one run at a time, a batch of messages each in its own transaction, each
moved out of the inbox only after its outcome committed. A server that is down is retried with
exponential backoff, and its state shown on the admin status page."""

from __future__ import annotations

import datetime
import functools
import logging
import socket
import ssl
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils import timezone
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from capture.models import MailboxState, Outcome
from capture.pipeline import imap
from capture.pipeline.message import parse_headers
from capture.services.directory import batch_directory
from capture.services.meetings import meetings_hold_due
from capture.services.messages import message_capture

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
    """Each message in its own transaction, moved out of the folder only after it committed."""
    max_part = settings.CAPTURE_MAX_PART_BYTES
    done: list[int] = []
    held: list[int] = []
    for uid in uids:
        head = heads.get(uid)
        if head is None:
            continue  # removed meanwhile
        headers = parse_headers(head[b"BODY[HEADER]"])
        captured = message_capture(headers, functools.partial(imap.load_view, client, uid, head, max_part))
        result.read += 1
        result.outcomes[captured.outcome] = result.outcomes.get(captured.outcome, 0) + 1
        (held if captured.outcome == Outcome.QUARANTINED else done).append(uid)
        if len(done) >= MOVE_EVERY:
            imap.move(client, done, processed)
            done = []
    if done:
        imap.move(client, done, processed)
    if held:
        imap.move(client, held, quarantine)
