"""A real Dovecot IMAP server for the capture tests, started as an unprivileged process on a free
loopback port with a throwaway configuration, mail store and password file."""

from __future__ import annotations

import contextlib
import imaplib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
NOBODY = 65534  # when the tests run as root, Dovecot runs as nobody: it refuses root for mail


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Dovecot:
    user = "keyline@firm.example"
    password = "capture-test-secret"

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="keyline-dovecot-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.as_root = os.geteuid() == 0
        self.uid = NOBODY if self.as_root else os.getuid()
        self.gid = NOBODY if self.as_root else os.getgid()
        self._write_config()

    def _write_config(self) -> None:
        root = self.root
        for sub in ("run", "state", "mail"):
            (root / sub).mkdir()
        (root / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        import grp
        import pwd

        user = pwd.getpwuid(self.uid).pw_name
        group = grp.getgrgid(self.gid).gr_name
        (root / "dovecot.conf").write_text(
            f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = {self.uid}
first_valid_gid = {self.gid}
mail_location = maildir:{root}/mail/%n
mailbox_list_index = no
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={root}/mail/%n
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    user = {user}
  }}
  unix_listener stats-writer {{
    user = {user}
  }}
}}
"""
        )
        if self.as_root:
            os.chmod(root, 0o755)  # noqa: S103 - a throwaway test folder the unprivileged server must enter
            for path in [root, *root.rglob("*")]:
                os.chown(path, self.uid, self.gid)

    def start(self) -> None:
        def drop_privileges() -> None:
            if self.as_root:
                os.setgroups([])
                os.setgid(self.gid)
                os.setuid(self.uid)

        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            preexec_fn=drop_privileges,
            start_new_session=True,  # its own process group: stop() ends master and children together
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                connection = self.connect()
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"Dovecot did not start: {self.log()}") from None
                time.sleep(0.1)
                continue
            connection.logout()
            return
        raise RuntimeError(f"Dovecot did not answer on port {self.port}: {self.log()}")

    def stop(self) -> None:
        """Kill the whole server at once, as a crash or a network cut would."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # its children leave with the master, a moment later
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            except OSError:
                return
            time.sleep(0.05)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text()[-2000:] if path.exists() else ""

    def connect(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4("127.0.0.1", self.port, timeout=5)
        connection.login(self.user, self.password)
        return connection

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        connection = self.connect()
        try:
            for raw in messages:
                status, _ = connection.append(folder, None, None, raw)
                assert status == "OK"
        finally:
            connection.logout()

    def count(self, folder: str) -> int:
        connection = self.connect()
        try:
            status, data = connection.select(f'"{folder}"', readonly=True)
            return int(data[0]) if status == "OK" else 0
        finally:
            connection.logout()

    def empty(self) -> None:
        """Every folder emptied (and the capture folders removed) between tests."""
        connection = self.connect()
        try:
            _, folders = connection.list()
            names = [
                re.match(r'\(.*?\) (?:"[^"]*"|NIL) (.*)$', line.decode()).group(1).strip('"')
                for line in folders or []
                if line
            ]
            for name in names:
                status, data = connection.select(f'"{name}"')
                if status == "OK" and int(data[0]):
                    connection.store("1:*", "+FLAGS", "\\Deleted")
                    connection.expunge()
                if status == "OK":
                    connection.close()
            for name in sorted(names, key=len, reverse=True):
                if name != "INBOX":
                    connection.delete(f'"{name}"')
        finally:
            connection.logout()
