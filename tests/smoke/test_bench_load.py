"""The load benchmark's proxy mode, for real: two gunicorn instances behind haproxy on a tiny firm
in the test database, signed-in users served by both without an error, and nothing left running or
on disk afterwards."""

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from accounts.models import User
from tests.factories import ClientFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
BENCH_PASSWORD = "keyline-demo-2026"  # the demo firm's, which the benchmark signs in with
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),  # the benchmark's own processes read this firm
    pytest.mark.skipif(not shutil.which("haproxy"), reason="haproxy is not installed (scripts/setup.sh --dev)"),
]


@pytest.fixture
def tiny_firm():
    partners = [UserFactory(email=f"partner{i}@firm.example") for i in range(2)]
    # hashed as the served settings hash (the test settings' fast hasher is not among them)
    hashed = PBKDF2PasswordHasher().encode(BENCH_PASSWORD, PBKDF2PasswordHasher().salt())
    User.objects.filter(pk__in=[p.pk for p in partners]).update(password=hashed)
    for i in range(6):
        ClientFactory(name=f"Energy client {i}", crp=partners[i % 2])


def test_two_instances_behind_haproxy_serve_signed_in_users_without_errors_and_leave_nothing_behind(tiny_firm):
    db = settings.DATABASES["default"]
    env = {**os.environ, "BENCH_DATABASE_SERVER": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}"}
    command = [sys.executable, "bench/bench_load.py", "--database", db["NAME"], "--no-seed"]
    command += ["--instances", "2", "--users", "2", "--seconds", "3", "--workers", "1"]
    if Path(settings.STATIC_ROOT, "staticfiles.json").exists():  # collected once, then reused
        command.append("--no-collectstatic")
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    out = run.stdout
    print(out)  # the figures, shown with -s
    assert run.returncode == 0, out + run.stderr
    assert "Sessions and CSRF hold across 2 instance(s)" in out
    assert re.search(r"throughput: [\d.]+ requests/s; errors: 0$", out, re.M), out
    answered = re.search(r"^answered by: web1 (\d+), web2 (\d+)$", out, re.M)
    assert answered and int(answered[1]) > 0 and int(answered[2]) > 0, out  # round robin reached both

    ports = [int(port) for port in re.findall(r"127\.0\.0\.1:(\d+)", out.split("\nLoad:")[0])]
    assert len(ports) == 3, out  # the proxy and two instances
    for port in ports:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"something still listens on {port}"
    config = re.search(r"haproxy\.cfg: (\S+)\)", out)[1]
    assert not Path(config).exists() and not Path(config).parent.exists()
