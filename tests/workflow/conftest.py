"""Real peers for the workflow tests: a ClamAV daemon with the EICAR test signature, and a local
HTTP receiver that records what it is sent and answers with scripted status codes."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from workflow.defaults import playbooks_install_defaults

# The industry's harmless test file: every scanner reports it, so no real virus is ever needed.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    """clamd from Debian's clamav-daemon, in its own process with a throwaway configuration and a
    signature database holding only the EICAR test signature (no download of the real database)."""
    binary = shutil.which("clamd") or "/usr/sbin/clamd"
    if not os.path.exists(binary):
        pytest.fail("clamd is missing: install clamav-daemon (scripts/setup.sh does)")
    home = tmp_path_factory.mktemp("clamd")
    (home / "db").mkdir()
    (home / "db" / "keyline-test.ndb").write_text(f"Keyline.Test.EICAR:0:*:{EICAR.hex()}\n")
    sock = home / "clamd.sock"
    conf = home / "clamd.conf"
    conf.write_text(
        f"LocalSocket {sock}\nDatabaseDirectory {home / 'db'}\nForeground yes\n"
        f"LogFile {home / 'clamd.log'}\nTemporaryDirectory {home}\nStreamMaxLength 30M\n"
    )
    process = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if sock.exists():
            try:
                with socket.socket(socket.AF_UNIX) as probe:
                    probe.connect(str(sock))
                    probe.sendall(b"zPING\0")
                    if probe.recv(8).startswith(b"PONG"):
                        break
            except OSError:
                pass
        if process.poll() is not None:
            pytest.fail(f"clamd exited: {(home / 'clamd.log').read_text()[-2000:]}")
        time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("clamd did not answer within 60 s")
    yield str(sock)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def scanner_on(clamd, settings):
    settings.CLAMAV_SOCKET = clamd
    return clamd


class Receiver:
    """A local HTTP server: `statuses` are answered in turn (then 200); every request is kept."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def json(self, index: int = -1) -> dict:
        return json.loads(self.requests[index]["body"])


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    peer = Receiver()
    yield peer
    peer.server.shutdown()
    peer.server.server_close()


@pytest.fixture
def default_playbooks(db):
    playbooks_install_defaults()
