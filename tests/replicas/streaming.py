"""A real streaming replica of the test PostgreSQL server, for the read-replica tests.

`pg_basebackup -R` of the test server (after the test database exists) into a temporary folder, started
with pg_ctl on a free port, streaming from the server from then on. PostgreSQL refuses to run as root:
as root the folder is given to the postgres user and every command runs as it. Missing programs fail
the test with what to install; nothing is skipped.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

# Must be at least the primary's for a hot standby to start.
COPIED_SETTINGS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


# A base backup copies every database of the server: seconds for a test server, minutes beside large ones.
BASE_BACKUP_SECONDS = 900


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_programs(major: int) -> tuple[str, str]:
    """pg_basebackup and pg_ctl of the server's major version."""
    bindir = Path(f"/usr/lib/postgresql/{major}/bin")
    found = []
    for program in ("pg_basebackup", "pg_ctl"):
        path = bindir / program
        if not path.exists():
            on_path = shutil.which(program)
            if on_path is None:
                raise RuntimeError(
                    f"{program} not found (in {bindir} or on PATH): the read-replica tests need PostgreSQL "
                    f"{major}'s server programs (Debian: postgresql-{major}, which scripts/setup.sh --dev installs)."
                )
            path = Path(on_path)
        found.append(str(path))
    return found[0], found[1]


class StreamingReplica:
    def __init__(self, *, host: str, port: int, user: str, dbname: str) -> None:
        self.primary = {"host": host, "port": port, "user": user, "dbname": dbname}
        self.dbname = dbname
        self.port = free_port()
        self.running = False
        self.folder: Path | None = None
        self.seconds_to_start = 0.0
        self.server_megabytes = 0

    # --- processes ---------------------------------------------------------------------------------

    def _as_owner(self, command: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def _run(self, command: list[str], *, timeout: float = 120) -> None:
        # Its own process group: on a timeout the program itself is stopped, not only runuser.
        process = subprocess.Popen(
            self._as_owner(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise RuntimeError(
                f"{' '.join(command)} took longer than {timeout:.0f}s. A base backup copies the whole test server "
                f"({self.server_megabytes} MB of databases): drop databases the tests do not need from it."
            ) from exc
        if process.returncode != 0:
            log = self._log_tail()
            raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {stderr.strip()}\n{log}")

    def _log_tail(self) -> str:
        log = self.folder / "server.log" if self.folder else None
        return log.read_text()[-2000:] if log and log.exists() else ""

    @property
    def data(self) -> Path:
        assert self.folder is not None
        return self.folder / "data"

    def create(self) -> StreamingReplica:
        started = time.monotonic()
        with self.primary_connection() as primary:
            major = int(primary.execute("SHOW server_version_num").fetchone()[0]) // 10000
            copied = {name: primary.execute(f"SHOW {name}").fetchone()[0] for name in COPIED_SETTINGS}
            size = primary.execute("SELECT sum(pg_database_size(oid)) FROM pg_database").fetchone()[0]
            self.server_megabytes = int(size) // 2**20
        basebackup, self.pg_ctl = server_programs(major)
        self.folder = Path(tempfile.mkdtemp(prefix="keyline-replica-"))
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        self._run(
            [
                basebackup,
                f"--host={self.primary['host']}",
                f"--port={self.primary['port']}",
                f"--username={self.primary['user']}",
                f"--pgdata={self.data}",
                "--write-recovery-conf",
                "--wal-method=stream",
                "--checkpoint=fast",
                "--no-sync",
            ],
            timeout=BASE_BACKUP_SECONDS,
        )
        settings = {
            "port": self.port,
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.folder}'",
            "hot_standby": "on",
            "fsync": "off",
            "shared_buffers": "'32MB'",
            "wal_receiver_status_interval": "'1s'",
            "logging_collector": "off",
            **copied,
        }
        # The server's own configuration may live outside its data folder (Debian): write the replica's own.
        self._write("postgresql.conf", "".join(f"{name} = {value}\n" for name, value in settings.items()))
        self._write("pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n")
        self._write("pg_ident.conf", "")
        self.start()
        self.seconds_to_start = time.monotonic() - started
        return self

    def _write(self, name: str, text: str) -> None:
        path = self.data / name
        path.write_text(text)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(path, owner.pw_uid, owner.pw_gid)

    def start(self) -> None:
        self._run([self.pg_ctl, "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "-t", "60", "start"])
        self.running = True
        self.wait_caught_up()

    def stop(self) -> None:
        if self.running:
            self._run([self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"])
            self.running = False

    def destroy(self) -> None:
        try:
            if self.running:
                self._run([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop"])
                self.running = False
        finally:
            if self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """The server stops answering (SIGSTOP): new connections hang until their connect timeout, as
        with a replica on a machine that has gone away. Always thawed afterwards."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(pid, signal.SIGCONT)

    # --- SQL -------------------------------------------------------------------------------------------

    def primary_connection(self) -> psycopg.Connection:
        return psycopg.connect(**self.primary, autocommit=True, connect_timeout=5)

    def connection(self) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=self.primary["user"], dbname=self.dbname, autocommit=True
        )

    def query(self, sql: str) -> object:
        with self.connection() as replica:
            return replica.execute(sql).fetchone()[0]

    def wait_caught_up(self, seconds: float = 60) -> None:
        """Until the replica has replayed everything the primary had written when this was called."""
        deadline = time.monotonic() + seconds
        with self.primary_connection() as primary:
            target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        while True:
            try:
                with self.connection() as replica:
                    done = replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]
                    if done:
                        return
            except psycopg.OperationalError:
                pass  # still starting
            if time.monotonic() > deadline:
                raise RuntimeError(f"the replica did not catch up within {seconds}s\n{self._log_tail()}")
            time.sleep(0.05)

    def pause(self) -> None:
        """Stop replaying once caught up: the replica keeps what it has, whatever the primary writes next."""
        self.wait_caught_up()
        with self.connection() as replica:
            replica.execute("SELECT pg_wal_replay_pause()")
            while replica.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] != "paused":
                time.sleep(0.02)

    def resume(self) -> None:
        with self.connection() as replica:
            replica.execute("SELECT pg_wal_replay_resume()")

    def lag_seconds(self) -> float:
        from config.db_router import LAG_SQL

        with self.connection() as replica:
            return float(replica.execute(LAG_SQL).fetchone()[0])
