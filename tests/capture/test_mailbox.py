"""The firm mailbox read from a real Dovecot server: what partners send becomes interactions, once."""

from __future__ import annotations

import datetime
import email
import email.policy

import pytest
from django.utils import timezone

from capture.models import CapturedMeeting, CapturedMessage, MailboxState, Outcome, ReviewItem, ReviewKind
from capture.selectors import processing_log, review_queue
from capture.services.mailbox import mailbox_poll
from capture.services.messages import message_captured
from stakeholders.models import Interaction, InteractionSource
from tests.capture.conftest import CAPTURE, forward, invite, mail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PROCESSED = "Keyline.Processed"  # as Dovecot's Maildir names the folder settings' "Keyline/Processed"
QUARANTINE = "Keyline.Quarantine"


def test_a_cc_d_email_becomes_an_email_interaction_with_both_sides(mailbox, alice, harbour):
    mailbox.deliver(bytes(mail(sender=alice.email, to=["hannah@harbour.example"], cc=[CAPTURE], subject="Re: Budget")))

    result = mailbox_poll()

    interaction = Interaction.objects.get()
    assert result.outcomes == {Outcome.CREATED: 1}
    assert (interaction.client, interaction.kind, interaction.summary) == (harbour, "email", "Budget")
    assert interaction.source == InteractionSource.MAILBOX
    assert [u.email for u in interaction.firm_attendees.all()] == [alice.email]
    assert [s.name for s in interaction.stakeholders.all()] == ["Hannah Chair"]
    assert mailbox.count("INBOX") == 0 and mailbox.count(PROCESSED) == 1


def test_a_forwarded_email_is_dated_and_summarised_from_the_original(mailbox, alice, harbour):
    sent = datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC)
    original = mail(sender="hannah@harbour.example", to=[alice.email], subject="Tender shortlist", when=sent)
    mailbox.deliver(forward(original, by=alice.email))

    mailbox_poll()

    interaction = Interaction.objects.get()
    assert interaction.date == datetime.date(2026, 11, 2)
    assert interaction.summary == "Tender shortlist"
    assert list(interaction.stakeholders.values_list("name", flat=True)) == ["Hannah Chair"]


def test_an_inline_forward_is_read_from_its_header_block(mailbox, alice, harbour):
    original = mail(sender="Hannah Chair <hannah@harbour.example>", to=[alice.email], subject="Board pack")
    mailbox.deliver(forward(original, by=alice.email, inline=True))

    mailbox_poll()

    interaction = Interaction.objects.get()
    assert interaction.summary == "Board pack"
    assert list(interaction.stakeholders.values_list("name", flat=True)) == ["Hannah Chair"]


def test_the_same_message_forwarded_by_three_partners_is_one_interaction_with_three_attendees(mailbox, alice, harbour):
    partners = [alice, UserFactory(email="pete@firm.example"), UserFactory(email="paula@firm.example")]
    original = mail(sender="hannah@harbour.example", to=[p.email for p in partners], subject="Panel appointment")
    mailbox.deliver(*[forward(original, by=p.email) for p in partners])

    result = mailbox_poll()

    interaction = Interaction.objects.get()
    assert sorted(interaction.firm_attendees.values_list("email", flat=True)) == sorted(p.email for p in partners)
    assert result.outcomes == {Outcome.CREATED: 1, Outcome.MERGED: 2}
    assert mailbox.count(PROCESSED) == 3


def test_an_invite_becomes_a_meeting_and_its_update_moves_it_and_its_cancellation_withdraws_it(mailbox, alice, harbour):
    start = timezone.now() - datetime.timedelta(days=3)
    mailbox.deliver(invite(organizer=alice.email, attendees=["hannah@harbour.example"], start=start))
    mailbox_poll()
    meeting = Interaction.objects.get()
    assert (meeting.kind, meeting.source, meeting.summary) == ("meeting", InteractionSource.INVITE, "Strategy meeting")
    assert meeting.date == timezone.localtime(start).date()

    moved = start + datetime.timedelta(days=1)
    mailbox.deliver(
        invite(
            organizer=alice.email,
            attendees=["hannah@harbour.example"],
            start=moved,
            sequence=1,
            summary="Strategy (moved)",
        )
    )
    mailbox_poll()
    meeting = Interaction.objects.get()
    assert (meeting.date, meeting.summary) == (timezone.localtime(moved).date(), "Strategy (moved)")

    mailbox.deliver(
        invite(organizer=alice.email, attendees=["hannah@harbour.example"], start=moved, sequence=2, method="CANCEL")
    )
    mailbox_poll()
    assert not Interaction.objects.exists()
    assert CapturedMessage.objects.filter(outcome=Outcome.WITHDRAWN).count() == 1


def test_an_invite_for_a_meeting_ahead_waits_for_its_day(mailbox, alice, harbour):
    start = timezone.now() + datetime.timedelta(days=5)
    mailbox.deliver(invite(organizer=alice.email, attendees=["hannah@harbour.example"], start=start))
    mailbox_poll()
    assert not Interaction.objects.exists()
    assert CapturedMeeting.objects.get().status == "scheduled"

    from capture.services.meetings import meetings_hold_due

    assert meetings_hold_due() == 0
    # Its day comes (the stored day is moved back rather than the clock forward).
    held_on = timezone.localdate()
    CapturedMeeting.objects.update(starts_on=held_on)
    assert meetings_hold_due() == 1
    assert Interaction.objects.get().date == held_on


def test_a_message_naming_a_confidential_client_is_seen_only_inside_its_wall(
    mailbox, alice, bob, carol, mike, nightjar
):
    mailbox.deliver(
        bytes(mail(sender=alice.email, to=["nina@nightjar.example", "new.person@nightjar.example"], cc=[CAPTURE]))
    )
    mailbox_poll()

    interaction = Interaction.objects.get()
    assert interaction.client == nightjar
    for outsider in (bob, carol):
        assert not processing_log(outsider).exists()
        assert not review_queue(outsider, mine=False).exists()
        assert not review_queue(outsider, mine=True).exists()
    assert review_queue(alice, mine=True).get().email == "new.person@nightjar.example"
    assert processing_log(mike).get().client == nightjar


def test_mail_from_an_unknown_sender_is_quarantined_never_imported(mailbox, harbour):
    mailbox.deliver(bytes(mail(sender="stranger@elsewhere.example", to=[CAPTURE, "hannah@harbour.example"])))

    result = mailbox_poll()

    assert result.outcomes == {Outcome.QUARANTINED: 1}
    assert not Interaction.objects.exists() and not ReviewItem.objects.exists()
    assert mailbox.count(QUARANTINE) == 1 and mailbox.count("INBOX") == 0


@pytest.mark.parametrize(
    "headers",
    [{"Auto-Submitted": "auto-replied"}, {"Precedence": "bulk"}, {"X-Autoreply": "yes"}],
)
def test_automatic_replies_are_skipped_with_their_reason(mailbox, alice, harbour, headers):
    mailbox.deliver(bytes(mail(sender=alice.email, to=["hannah@harbour.example", CAPTURE], headers=headers)))

    mailbox_poll()

    logged = CapturedMessage.objects.get()
    assert logged.outcome == Outcome.SKIPPED and "utomatic" in logged.reason
    assert not Interaction.objects.exists()


def test_an_out_of_office_subject_is_skipped(mailbox, alice, harbour):
    mailbox.deliver(bytes(mail(sender=alice.email, to=[CAPTURE], subject="Automatic reply: Budget")))
    mailbox_poll()
    assert CapturedMessage.objects.get().reason == "Out-of-office or automatic reply."


def test_a_malformed_message_is_skipped_with_a_reason(mailbox, alice, harbour):
    broken = (
        f"From: {alice.email}\r\nTo: hannah@harbour.example\r\nSubject: broken\r\nMessage-ID: <broken@x>\r\n"
        'Content-Type: multipart/mixed; boundary="never-used"\r\n\r\nno parts here at all\r\n'
    ).encode()
    mailbox.deliver(broken)

    mailbox_poll()

    logged = CapturedMessage.objects.get()
    assert logged.outcome == Outcome.SKIPPED
    assert logged.reason.startswith("Malformed message")
    assert not Interaction.objects.exists()
    assert mailbox.count(PROCESSED) == 1


def test_headers_that_are_not_utf8_are_read_without_failing(mailbox, alice, harbour):
    raw = (
        f"From: {alice.email}\r\nTo: hannah@harbour.example\r\nSubject: R\xe9union budg\xe9taire\r\n"
        "Message-ID: <latin@x>\r\nDate: Mon, 30 Nov 2026 09:00:00 +0000\r\n\r\nBonjour\r\n"
    ).encode("latin-1")
    mailbox.deliver(raw)

    mailbox_poll()

    assert Interaction.objects.get().summary.startswith("R")


def test_a_huge_attachment_is_never_downloaded(mailbox, alice, harbour, settings):
    settings.CAPTURE_MAX_PART_BYTES = 64 * 1024
    message = mail(sender=alice.email, to=["hannah@harbour.example", CAPTURE], subject="Data room")
    message.add_attachment(b"x" * (3 * 1024 * 1024), maintype="application", subtype="zip", filename="room.zip")
    mailbox.deliver(bytes(message))

    mailbox_poll()

    assert Interaction.objects.get().summary == "Data room"


def test_the_server_going_away_mid_batch_loses_nothing_and_doubles_nothing(mailbox, alice, harbour):
    messages = [
        bytes(mail(sender=alice.email, to=["hannah@harbour.example", CAPTURE], subject=f"Note {n}")) for n in range(6)
    ]
    mailbox.deliver(*messages)
    seen = []

    def pull_the_plug(sender, captured, **kwargs):
        seen.append(captured.pk)
        if len(seen) == 3:
            mailbox.stop()

    message_captured.connect(pull_the_plug, dispatch_uid="test-pull-the-plug")
    try:
        failed = mailbox_poll()
    finally:
        message_captured.disconnect(dispatch_uid="test-pull-the-plug")
    assert failed.error
    state = MailboxState.load()
    assert state.failures == 1 and state.next_attempt_at > timezone.now()
    assert mailbox_poll().skipped_for_backoff  # backs off rather than hammering a server that is down

    mailbox.start()
    mailbox_poll(force=True)

    assert sorted(Interaction.objects.values_list("summary", flat=True)) == [f"Note {n}" for n in range(6)]
    assert mailbox.count("INBOX") == 0 and mailbox.count(PROCESSED) == 6
    assert MailboxState.load().failures == 0


def test_a_server_that_is_down_is_recorded_for_the_status_page(mailbox, alice):
    mailbox.stop()
    result = mailbox_poll()
    assert result.error
    assert MailboxState.load().last_error


def another_worker_polls(*, for_seconds: float = 60) -> None:
    MailboxState.load()
    until = timezone.now() + datetime.timedelta(seconds=for_seconds)
    MailboxState.objects.update(holder="worker-2:4242:run", held_until=until)


def test_while_another_worker_polls_the_mailbox_a_second_poll_reads_nothing(mailbox, alice, harbour):
    mailbox.deliver(bytes(mail(sender=alice.email, to=["hannah@harbour.example"], cc=[CAPTURE], subject="Once")))
    another_worker_polls()

    assert mailbox_poll().skipped_for_backoff
    assert mailbox_poll(force=True).skipped_for_backoff  # "try now" too waits for the running poll
    assert not Interaction.objects.exists() and mailbox.count("INBOX") == 1

    another_worker_polls(for_seconds=-1)  # that worker was killed: its hold ran out
    assert mailbox_poll().read == 1
    assert Interaction.objects.get().summary == "Once"
    assert MailboxState.load().holder == ""


def test_a_poll_that_lost_the_mailbox_to_another_worker_moves_nothing_and_nothing_is_captured_twice(
    mailbox, alice, harbour
):
    messages = [
        bytes(mail(sender=alice.email, to=["hannah@harbour.example"], cc=[CAPTURE], subject=f"Note {n}"))
        for n in range(3)
    ]
    mailbox.deliver(*messages)

    def stalled_past_its_lease(sender, captured, **kwargs):
        another_worker_polls(for_seconds=-1)  # took over, then itself died

    message_captured.connect(stalled_past_its_lease, dispatch_uid="test-lease-lost")
    try:
        first = mailbox_poll()
    finally:
        message_captured.disconnect(dispatch_uid="test-lease-lost")
    assert first.read == 3 and Interaction.objects.count() == 3
    assert mailbox.count("INBOX") == 3  # the poll stopped before moving: no longer its mailbox

    second = mailbox_poll()
    assert second.read == 3 and Interaction.objects.count() == 3  # recognised, not captured again
    assert mailbox.count("INBOX") == 0 and mailbox.count(PROCESSED) == 3


def test_an_address_at_the_client_domain_is_proposed_as_a_stakeholder_not_created(mailbox, alice, harbour):
    body = "Dear Alice,\n\nPlease see the attached.\n\nKind regards\n\nJames Wilde\nChief Financial Officer\nHarbour\n"
    original = mail(sender="James Wilde <james.wilde@harbour.example>", to=[alice.email], body=body)
    mailbox.deliver(forward(original, by=alice.email))

    mailbox_poll()

    item = ReviewItem.objects.get()
    assert (item.kind, item.name, item.job_title) == (
        ReviewKind.PROPOSED_STAKEHOLDER,
        "James Wilde",
        "Chief Financial Officer",
    )
    assert harbour.stakeholders.count() == 1  # only Hannah: nobody created silently


def test_a_big_message_is_read_part_by_part_invite_and_forwarded_original_included(mailbox, alice, harbour, settings):
    settings.CAPTURE_MAX_PART_BYTES = 64 * 1024
    original = mail(sender="James Wilde <james.wilde@harbour.example>", to=[alice.email], subject="Deck",
                    body="Here it is.\n\nJames Wilde\nHead of Strategy\n")  # fmt: skip
    outer = email.message_from_bytes(forward(original, by=alice.email), policy=email.policy.default)
    outer.add_attachment(b"x" * (2 * 1024 * 1024), maintype="application", subtype="pdf", filename="deck.pdf")
    mailbox.deliver(bytes(outer))

    mailbox_poll()

    assert Interaction.objects.get().summary == "Deck"
    assert ReviewItem.objects.get().job_title == "Head of Strategy"


def _mixed_batch(size: int, partner: str, start: int) -> list[bytes]:
    """CC'd emails, forwards, invites, a new person at the client and automatic replies, as in the benchmark."""
    past = timezone.now() - datetime.timedelta(days=2)
    out = []
    for n in range(start, start + size):
        kind = n % 5
        if kind == 0:
            out.append(bytes(mail(sender=partner, to=["hannah@harbour.example"], cc=[CAPTURE], subject=f"Note {n}")))
        elif kind == 1:
            original = mail(sender="hannah@harbour.example", to=[partner], subject=f"Question {n}")
            out.append(forward(original, by=partner))
        elif kind == 2:
            out.append(invite(organizer=partner, attendees=["hannah@harbour.example"], uid=f"q{n}", start=past))
        elif kind == 3:
            out.append(bytes(mail(sender=partner, to=[f"new{n}@harbour.example"], cc=[CAPTURE], subject=f"Intro {n}")))
        else:
            auto = {"Auto-Submitted": "auto-replied"}
            out.append(bytes(mail(sender=partner, to=[CAPTURE], subject="Away", headers=auto)))
    return out


def test_a_batch_is_captured_with_the_same_number_of_queries_whatever_its_size(mailbox, alice, harbour):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mailbox_poll()  # the mailbox state row exists from here on
    counts = {}
    for size, start in ((5, 0), (50, 100)):
        mailbox.deliver(*_mixed_batch(size, alice.email, start))
        with CaptureQueriesContext(connection) as queries:
            result = mailbox_poll()
        assert result.read == size and not result.error
        counts[size] = len(queries)

    # the same statements for 5 messages as for 50 (the health recompute runs eagerly in tests: included)
    assert counts[50] == counts[5] <= 50
    assert Interaction.objects.count() == 4 * 55 // 5
    assert ReviewItem.objects.filter(kind=ReviewKind.PROPOSED_STAKEHOLDER).count() == 55 // 5
    assert CapturedMessage.objects.filter(outcome=Outcome.SKIPPED).count() == 55 // 5
    assert mailbox.count("INBOX") == 0 and mailbox.count(PROCESSED) == 55


def test_the_first_poll_is_not_put_off_when_the_state_row_appears_between_its_claim_and_its_look(
    mailbox, alice, harbour, monkeypatch
):
    """The status page (or the watch test's own wait) may create the mailbox's state row at any time:
    once right after the first poll's claim found no row, the poll took the row for another worker's
    and read nothing."""
    from capture.services import mailbox as polling

    claim = polling.lease_take
    claims = []

    def row_appears_right_after_the_first_claim(*args, **kwargs):
        claims.append(1)
        if len(claims) == 1:
            MailboxState.load()  # created (and committed) by someone else just now
            return None
        return claim(*args, **kwargs)

    monkeypatch.setattr(polling, "lease_take", row_appears_right_after_the_first_claim)
    mailbox.deliver(bytes(mail(sender=alice.email, to=["hannah@harbour.example"], cc=[CAPTURE], subject="First")))

    result = mailbox_poll()

    assert not result.skipped_for_backoff
    assert Interaction.objects.get().summary == "First"


def test_watching_with_idle_captures_a_message_as_soon_as_the_server_announces_it(mailbox, alice, harbour):
    import threading
    import time

    from django.db import connection

    from capture.services.mailbox import mailbox_watch

    finished = []

    def watch():
        try:
            mailbox_watch(idle_seconds=60, rounds=2)
            finished.append(time.monotonic())
        finally:
            connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    deadline = time.monotonic() + 30
    while MailboxState.load().last_success_at is None and time.monotonic() < deadline:
        time.sleep(0.2)  # the first read found the inbox empty; the watcher now waits on IDLE
    time.sleep(1)
    delivered = time.monotonic()
    mailbox.deliver(bytes(mail(sender=alice.email, to=["hannah@harbour.example"], cc=[CAPTURE], subject="Idle")))
    watcher.join(timeout=90)

    assert finished and finished[0] - delivered < 45  # woken by the server, not by the 60 s re-arm
    assert Interaction.objects.get().summary == "Idle"
    assert mailbox.count("INBOX") == 0
