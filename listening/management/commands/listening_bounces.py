"""Record bounced addresses reported by the mail provider: one per line on standard input."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from listening.services.surveys import bounces_record


class Command(BaseCommand):
    help = "Record bounced survey addresses (one per line on standard input): they are never emailed again."

    def handle(self, *args: Any, **options: Any) -> None:
        marked = bounces_record(emails=sys.stdin.read().splitlines())
        self.stdout.write(f"Recorded; {marked} invitation(s) marked bounced.")
