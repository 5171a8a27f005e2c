"""Read the firm mailbox as mail arrives (IMAP IDLE), instead of the Celery beat poll."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from capture.services.mailbox import capture_enabled, mailbox_watch


class Command(BaseCommand):
    help = "Watch the capture mailbox with IMAP IDLE and capture messages as they arrive."

    def add_arguments(self, parser):
        parser.add_argument("--idle-seconds", type=int, default=290, help="Re-arm IDLE after this long")

    def handle(self, *args, **options):
        if not capture_enabled():
            self.stderr.write("CAPTURE_IMAP_HOST is not set: nothing to watch.")
            return
        mailbox_watch(idle_seconds=options["idle_seconds"])
