"""A real PgBouncer in transaction mode for the pooler tests, started on a free loopback port with a
throwaway configuration in front of the test database's server, and Django connections through it."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from config.pooler import pooler_database

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
NOBODY = 65534  # PgBouncer refuses to run as root: when the tests do, it runs as nobody


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_server() -> tuple[str, int]:
    """The PostgreSQL server the tests use, asked of the server itself (right even when the suite's
    own connection already goes through a pooler)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT host(inet_server_addr()), inet_server_port()")
        host, port = cursor.fetchone()
    return host or "127.0.0.1", port or 5432


@contextlib.contextmanager
def running_pgbouncer(*, pool_size: int) -> Iterator[int]:
    """PgBouncer in transaction mode with at most `pool_size` server connections per database and
    user; yields its port and stops it (closing its server connections) afterwards."""
    host, port = database_server()
    root = Path(tempfile.mkdtemp(prefix="keyline-pgbouncer-"))
    listen = free_port()
    as_root = os.geteuid() == 0
    user = f"user = {pwd.getpwuid(NOBODY).pw_name}" if as_root else ""
    db_user = connection.settings_dict["USER"] or "postgres"
    (root / "users.txt").write_text(f'"{db_user}" ""\n')
    (root / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
pool_mode = transaction
auth_type = trust
auth_file = {root}/users.txt
default_pool_size = {pool_size}
max_client_conn = 50
logfile = {root}/pgbouncer.log
pidfile = {root}/pgbouncer.pid
{user}
"""
    )
    if as_root:
        os.chmod(root, 0o755)  # noqa: S103 - a throwaway test folder the unprivileged server writes in
        for path in [root, *root.iterdir()]:
            os.chown(path, NOBODY, -1)
    subprocess.run([PGBOUNCER, "-q", "-d", str(root / "pgbouncer.ini")], check=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", listen), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    log = (root / "pgbouncer.log").read_text() if (root / "pgbouncer.log").exists() else ""
                    raise RuntimeError(f"PgBouncer did not start: {log}") from None
                time.sleep(0.05)
        yield listen
    finally:
        pidfile = root / "pgbouncer.pid"
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pidfile.read_text()), signal.SIGTERM)
        deadline = time.monotonic() + 10
        while pidfile.exists() and time.monotonic() < deadline:  # it removes its pidfile on the way out
            time.sleep(0.05)
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def pooled_alias(alias: str, port: int, *, pooler_settings: bool = True) -> Iterator[BaseDatabaseWrapper]:
    """A Django connection named `alias` to the test database through PgBouncer on `port`: with the
    settings DATABASE_POOLER=transaction gives, or (`pooler_settings=False`) with Django's defaults.
    Made by hand rather than added to DATABASES, as a test-only connection may be."""
    settings_dict = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": port, "CONN_MAX_AGE": 0}
    settings_dict.pop("DISABLE_SERVER_SIDE_CURSORS", None)
    if pooler_settings:
        settings_dict = pooler_database(settings_dict, "transaction")
    pooled = type(connection._connections[connection._alias])(settings_dict, alias)  # type: ignore[attr-defined]
    connections[alias] = pooled
    try:
        yield pooled
    finally:
        pooled.close()
        del connections[alias]
