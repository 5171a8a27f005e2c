"""Mailbox capture benchmark: 10,000 messages read from a real Dovecot server and captured.

Delivers the messages (IMAP APPEND) into a throwaway Dovecot mailbox, then polls it as the Celery beat
does, batch after batch (CAPTURE_BATCH = 500), and prints the time per message (each batch's time
divided by its messages: median and p95 over the batches), the slowest batch, the SQL statements per
message, the throughput and the peak memory of the process. The mix: CC'd emails to known stakeholders,
forwards, meeting invites, mail naming people nobody has on file yet (review proposals), and automatic
replies (skipped).

    .venv/bin/python bench/bench_capture.py [--messages 10000] [--clients 200]

Uses its own database (keyline_bench_capture) and sends the health recompute it asks for to Redis
database 13 (deleted afterwards), as a deployment's worker would receive it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")

from bench.common import setup_django

DATABASE = "keyline_bench_capture"


def seed(clients: int):
    from accounts.models import Role
    from capture.models import CapturedMeeting, CapturedMessage, ClientEmailDomain, ReviewItem
    from stakeholders.models import Interaction, Stakeholder
    from tests.factories import ClientFactory, UserFactory

    for model in (ReviewItem, CapturedMessage, CapturedMeeting, Interaction):
        model.objects.all().delete()
    from accounts.models import User

    partner = User.objects.filter(email="bench.partner@firm.example").first() or UserFactory(
        email="bench.partner@firm.example", full_name="Bench Partner", role=Role.PARTNER
    )
    have = ClientEmailDomain.objects.filter(domain__startswith="client").count()
    for n in range(have, clients):
        client = ClientFactory(name=f"Bench client {n}", crp=partner)
        ClientEmailDomain.objects.create(client=client, domain=f"client{n}.example")
        Stakeholder.objects.bulk_create(
            [Stakeholder(client=client, name=f"Person {n}-{k}", email=f"p{k}@client{n}.example") for k in range(5)]
        )
    return partner


def messages(count: int, clients: int, partner_email: str) -> list[bytes]:
    from tests.capture.conftest import CAPTURE, forward, invite, mail

    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=2)
    out = []
    for n in range(count):
        c = n % clients
        kind = n % 20
        if kind < 13:
            msg = mail(sender=partner_email, to=[f"p{n % 5}@client{c}.example"], cc=[CAPTURE], subject=f"Note {n}")
            out.append(bytes(msg))
        elif kind < 15:
            original = mail(sender=f"p{n % 5}@client{c}.example", to=[partner_email], subject=f"Question {n}")
            out.append(forward(original, by=partner_email))
        elif kind < 17:
            out.append(invite(organizer=partner_email, attendees=[f"p1@client{c}.example"], uid=f"b{n}", start=past))
        elif kind < 19:
            msg = mail(sender=partner_email, to=[f"new{n}@client{c}.example"], cc=[CAPTURE], subject=f"Intro {n}")
            out.append(bytes(msg))
        else:
            msg = mail(sender=partner_email, to=[CAPTURE], subject="Automatic reply: away",
                       headers={"Auto-Submitted": "auto-replied"})  # fmt: skip
            out.append(bytes(msg))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--database", default=DATABASE)
    args = parser.parse_args()
    setup_django(args.database)
    from django.conf import settings
    from django.db import connection

    from capture.services.mailbox import mailbox_poll
    from stakeholders.models import Interaction
    from tests.capture.dovecot import Dovecot

    partner = seed(args.clients)
    server = Dovecot()
    server.start()
    try:
        started = time.perf_counter()
        raw = messages(args.messages, args.clients, partner.email)
        imap = server.connect()
        for message in raw:
            imap.append("INBOX", None, None, message)
        imap.logout()
        print(f"delivered {len(raw)} messages in {time.perf_counter() - started:.0f}s")
        settings.CAPTURE_IMAP_HOST, settings.CAPTURE_IMAP_PORT = "127.0.0.1", server.port
        settings.CAPTURE_IMAP_SECURITY = "none"
        settings.CAPTURE_IMAP_USER, settings.CAPTURE_IMAP_PASSWORD = server.user, server.password
        settings.CAPTURE_ADDRESS = "keyline@firm.example"
        settings.CAPTURE_BATCH = 500

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # autovacuum may be off: fresh statistics for the seeded tables
        statements = 0

        def count(execute, sql, params, many, context):
            nonlocal statements
            statements += 1
            return execute(sql, params, many, context)

        outcomes: dict[str, int] = {}
        per_message: list[float] = []
        batches: list[float] = []
        started = time.perf_counter()
        with connection.execute_wrapper(count):
            while True:
                batch_started = time.perf_counter()
                result = mailbox_poll(force=True)
                if result.error:
                    raise SystemExit(f"poll failed: {result.error}")
                if not result.read:
                    break
                took = time.perf_counter() - batch_started
                batches.append(took)
                per_message.extend([took / result.read] * result.read)
                for outcome, n in result.outcomes.items():
                    outcomes[outcome] = outcomes.get(outcome, 0) + n
        elapsed = time.perf_counter() - started
        done = sum(outcomes.values())
        ms = sorted(1000 * t for t in per_message)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"captured {done} messages in {elapsed:.1f}s: {done / elapsed:.0f} messages/s on one process")
        print(f"per message: median {statistics.median(ms):.2f} ms, p95 {ms[int(0.95 * len(ms)) - 1]:.2f} ms")
        print(f"batches: {len(batches)} of up to {settings.CAPTURE_BATCH}, slowest {max(batches):.2f} s")
        print(f"SQL statements: {statements} in all, {statements / done:.3f} per message")
        print(f"peak memory (max RSS): {peak_mb:.0f} MB")
        print(f"outcomes: {dict(sorted(outcomes.items()))}; interactions: {Interaction.objects.count()}")
        print(f"left in the inbox: {server.count('INBOX')}, processed: {server.count('Keyline.Processed')}")
    finally:
        server.cleanup()
        import redis

        redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).delete("celery")


if __name__ == "__main__":
    main()
