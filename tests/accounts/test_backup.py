"""Backup and restore: a restored copy in an empty database holds every record and stored file."""

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from core.backup import backup_restore
from tests.factories import ClientFactory, FeeRecordFactory, ServiceLineFactory

RESTORE_DB = "keyline_restore_check"


def table_counts(dsn: str) -> dict[str, int]:
    with psycopg.connect(dsn) as conn:
        tables = [
            row[0]
            for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        ]
        return {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
        }


def dsn_for(db: dict) -> str:
    return f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname={db['NAME']}"


@pytest.mark.skipif(
    settings.DATABASE_POOLER == "transaction",
    reason="pg_dump and pg_restore run against PostgreSQL itself, never through a transaction-mode pooler "
    "(they set search_path for their session, which the pooler would hand on to other clients)",
)
@pytest.mark.django_db(transaction=True)
def test_restore_into_an_empty_database_finds_every_record_and_file(tmp_path, alice, normal_client):
    line = ServiceLineFactory(name="Litigation")
    for year in (2024, 2025):
        FeeRecordFactory(client=normal_client, service_line=line, financial_year=year)
    ClientFactory(name="Second Client plc", crp=alice)
    stored = default_storage.save("reports/backup-check.pdf", ContentFile(b"%PDF-1.7 test"))

    archive = tmp_path / "keyline.tar"
    call_command("backup", "--output", str(archive))

    source = settings.DATABASES["default"]
    server = {**source, "NAME": "postgres"}
    with psycopg.connect(dsn_for(server), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{RESTORE_DB}"')
        conn.execute(f'CREATE DATABASE "{RESTORE_DB}"')
    target = {**source, "NAME": RESTORE_DB}
    restored_media = tmp_path / "media"
    try:
        backup_restore(archive_path=archive, database=target, media_root=restored_media)
        original = table_counts(dsn_for(source))
        restored = table_counts(dsn_for(target))
        assert restored == original
        assert original["accounts_client"] == 2 and original["accounts_feerecord"] == 2
        assert (restored_media / stored).read_bytes() == b"%PDF-1.7 test"
    finally:
        default_storage.delete(stored)
        with psycopg.connect(dsn_for(server), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{RESTORE_DB}"')


@pytest.mark.parametrize("command", ["backup", "restore"])
@pytest.mark.parametrize("pooler", ["transaction", "session"])
def test_backup_and_restore_refuse_to_run_through_a_pooler(command, pooler, settings, tmp_path):
    settings.DATABASE_POOLER = pooler
    archive = tmp_path / "keyline.tar"
    archive.write_bytes(b"")
    with pytest.raises(CommandError, match="DATABASE_POOLER is set: back up and restore against PostgreSQL itself"):
        call_command(command, *(["--output"] if command == "backup" else []), str(archive))
    assert archive.read_bytes() == b""
