"""Polling the firm mailbox: one run at a time (a lease on the mailbox state row), a batch of messages
each in its own transaction, each moved out of the inbox only after its outcome committed. A server
that is down is retried with exponential backoff, and its state shown on the admin status page."""

from __future__ import annotations

import datetime
import logging
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from capture.models import MailboxState, Outcome
from capture.pipeline import imap
from capture.pipeline.message import MessageView, parse_headers
from capture.services.batch import batch_capture
from capture.services.directory import batch_directory
from capture.services.meetings import meetings_hold_due
from core.leases import lease_holder_name, lease_release, lease_renew, lease_take

logger = logging.getLogger(__name__)

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
    holder = lease_holder_name()
    state = _mailbox_take(holder)
    if state is None:
        result.skipped_for_backoff = True  # another worker is polling
        return result
    try:
        now = timezone.now()
        if not force and state.next_attempt_at and state.next_attempt_at > now:
            result.skipped_for_backoff = True
            return result
        state.last_attempt_at = now
        state.save(update_fields=["last_attempt_at"])
        try:
            _read_batch(result, lambda: _still_polling(state.pk, holder))
        except FAILURES as exc:
            result.error = f"{type(exc).__name__}: {exc}"[:300] or type(exc).__name__
            _failed(state, result.error)
            logger.warning("Mailbox capture failed: %s", result.error)
        else:
            _succeeded(state, result.read)
        meetings_hold_due()
        return result
    finally:
        lease_release(MailboxState, state.pk, holder=holder)


def _mailbox_take(holder: str) -> MailboxState | None:
    """The mailbox's state, held by this poll; None when another worker is polling."""
    seconds = settings.CAPTURE_POLL_LEASE_SECONDS
    state = lease_take(MailboxState, MailboxState.SINGLE_PK, holder=holder, seconds=seconds)
    if state is None:
        # No row yet (the very first poll) or another holds it. Whoever reads the state (the status
        # page, a watcher) may create the row between the claim and a look for it, so the row is made
        # sure of and claimed once more: a worker holding the lease still keeps it.
        MailboxState.load()
        state = lease_take(MailboxState, MailboxState.SINGLE_PK, holder=holder, seconds=seconds)
    return state


def _still_polling(pk: int, holder: str) -> bool:
    """Renew this poll's lease; False when it ran out and another worker took the mailbox over."""
    if lease_renew(MailboxState, pk, holder=holder, seconds=settings.CAPTURE_POLL_LEASE_SECONDS):
        return True
    logger.warning("Mailbox poll stalled past its lease and another worker took over: this one stops.")
    return False


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


def _read_batch(result: PollResult, still_polling: Callable[[], bool]) -> None:
    processed, quarantine = settings.CAPTURE_PROCESSED_FOLDER, settings.CAPTURE_QUARANTINE_FOLDER
    with imap.mailbox() as client:
        processed, quarantine = imap.ensure_folders(client, processed, quarantine)
        client.select_folder(settings.CAPTURE_IMAP_FOLDER)
        uids = sorted(client.search(["NOT", "DELETED"]))[: settings.CAPTURE_BATCH]
        if not uids:
            return
        heads = client.fetch(uids, imap.HEAD)
        if not still_polling():
            return
        with batch_directory():
            _capture_all(client, uids, heads, result, processed, quarantine, still_polling)


def _capture_all(
    client: IMAPClient,
    uids: list[int],
    heads: dict,
    result: PollResult,
    processed: str,
    quarantine: str,
    still_polling: Callable[[], bool],
) -> None:
    """The batch captured together (`batch_capture`), then moved out of the folder: nothing is moved
    before its outcome committed. A poll that lost its lease moves nothing more: the worker that took
    over recognises the captured messages and moves them."""
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
        if not still_polling():
            return
        imap.move(client, done[start : start + MOVE_EVERY], processed)
    if held and still_polling():
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
