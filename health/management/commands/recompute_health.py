import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Client
from health.services.recompute import scores_recompute


class Command(BaseCommand):
    help = "Recompute client health scores now (every client, or one), as of today or a past date."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="date to compute the scores as of (YYYY-MM-DD); default today")
        parser.add_argument("--client", type=int, help="id of one client to recompute")

    def handle(self, *args, as_of: str | None, client: int | None, **options):
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else None
        except ValueError as exc:
            raise CommandError(f"--as-of must be a date like 2026-03-31, not {as_of!r}.") from exc
        if day and day > timezone.localdate():
            raise CommandError("--as-of cannot be in the future.")
        if client is not None and not Client.objects.filter(pk=client).exists():
            raise CommandError(f"There is no client with id {client}.")
        started = time.perf_counter()
        count = scores_recompute(as_of=day, client_ids=[client] if client is not None else None)
        self.stdout.write(
            self.style.SUCCESS(f"Recomputed {count} client score(s) in {time.perf_counter() - started:.2f}s.")
        )
