from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.backup import BEHIND_POOLER, backup_create


class Command(BaseCommand):
    help = "Back up the whole database and the stored files into one archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="archive path (default var/backups/keyline-<time>.tar)")

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        if settings.DATABASE_POOLER:
            raise CommandError(BEHIND_POOLER)
        output = output or settings.VAR_DIR / "backups" / f"keyline-{timezone.now():%Y%m%d-%H%M%S}.tar"
        backup_create(output=output)
        self.stdout.write(self.style.SUCCESS(f"Backup written to {output}"))
