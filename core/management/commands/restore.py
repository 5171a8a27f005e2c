from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from core.backup import BEHIND_POOLER, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive into an EMPTY database (create it first) and the media folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)

    def handle(self, *args: Any, archive: Path, **options: Any) -> None:
        if settings.DATABASE_POOLER:
            raise CommandError(BEHIND_POOLER)
        if not archive.exists():
            raise CommandError(f"No such archive: {archive}")
        if "accounts_client" in connection.introspection.table_names():
            raise CommandError("The target database is not empty: restore only into a new, empty database.")
        backup_restore(archive_path=archive)
        self.stdout.write(self.style.SUCCESS("Restored. Run `manage.py migrate` if the code is newer than the backup."))
