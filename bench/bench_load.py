"""Mixed read/write load against a real gunicorn on loopback.

    .venv/bin/python bench/bench_load.py [--users 20] [--seconds 60] [--clients 5000]

Each simulated user logs in and loops over a weighted mix of what the firm does all day: the client
list, client pages, the clients API, and edits through the API (with If-Match). Prints throughput,
p95 per kind of request and the error count (which must be 0; a 412 on a contended edit is not an
error, it is the lost-update guard doing its job).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict

from common import ROOT, setup_django

parser = argparse.ArgumentParser()
parser.add_argument("--users", type=int, default=20)
parser.add_argument("--seconds", type=float, default=60)
parser.add_argument("--clients", type=int, default=5000)
parser.add_argument("--workers", type=int, default=4)
options = parser.parse_args()

setup_django("keyline_bench_load")

from django.core.management import call_command  # noqa: E402

from accounts.models import Client, User  # noqa: E402

if Client.objects.count() < options.clients:
    call_command("seed_demo", "--clients", str(options.clients), "--quiet")
client_ids = list(Client.objects.filter(confidential=False).values_list("id", flat=True)[:500])
partners = list(User.objects.filter(role__in=["partner", "bd", "managing_partner"]).values_list("email", flat=True))
PASSWORD = "keyline-demo-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class User_:
    def __init__(self, base: str, email: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.opener.open(f"{base}/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD})
        self.opener.open(urllib.request.Request(f"{base}/login/", data=form.encode(), headers={"Referer": base}))
        self.csrf = next(c.value for c in self.jar if c.name == "csrftoken")

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {
            "X-CSRFToken": self.csrf,
            "Content-Type": "application/json",
            "Referer": self.base,
            **(headers or {}),
        }
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=all_headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                response.read()
                return response.status, response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.headers


def scenario_client_list(user: User_) -> tuple[str, int]:
    return "GET /clients/", user.call("GET", f"/clients/?page={random.randint(1, 20)}")[0]


def scenario_client_page(user: User_) -> tuple[str, int]:
    return "GET /clients/<id>/", user.call("GET", f"/clients/{random.choice(client_ids)}/")[0]


def scenario_api_list(user: User_) -> tuple[str, int]:
    return "GET /api/clients/", user.call("GET", "/api/clients/?search=energy")[0]


def scenario_api_edit(user: User_) -> tuple[str, int]:
    pk = random.choice(client_ids[:50])  # a small hot set, so edits contend
    status, headers = user.call("GET", f"/api/clients/{pk}/")
    if status != 200:
        return "PATCH /api/clients/<id>/", status
    status, _ = user.call(
        "PATCH", f"/api/clients/{pk}/", {"notes": f"Load note {time.time()}"}, {"If-Match": headers["ETag"]}
    )
    return "PATCH /api/clients/<id>/", status


SCENARIOS = [(scenario_client_list, 4), (scenario_client_page, 4), (scenario_api_list, 2), (scenario_api_edit, 1)]
OK = {200, 201, 412}  # 412: refused as stale, by design; 403: the user may not edit that client


def main() -> None:
    port = free_port()
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    # gunicorn serves the hashed static files, as deployed
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(options.workers),
            "--threads",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        run(base)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def run(base: str) -> None:
    users = [User_(base, partners[i % len(partners)]) for i in range(options.users)]
    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    deadline = time.monotonic() + options.seconds
    weighted = [scenario for scenario, weight in SCENARIOS for _ in range(weight)]

    def loop(user: User_) -> None:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            name, status = random.choice(weighted)(user)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings[name].append(elapsed)
                if status not in OK and not (status == 403 and name.startswith("PATCH")):
                    errors[name] += 1

    threads = [threading.Thread(target=loop, args=(user,)) for user in users]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    total = sum(len(v) for v in timings.values())
    print(
        f"\nLoad: {options.users} users, {elapsed:.0f}s, gunicorn {options.workers} workers × 2 threads, "
        f"{Client.objects.count()} clients"
    )
    print(f"{'request':<28} {'count':>6} {'median ms':>10} {'p95 ms':>8} {'errors':>7}")
    for name, values in sorted(timings.items()):
        values.sort()
        print(
            f"{name:<28} {len(values):>6} {statistics.median(values):>10.1f} "
            f"{values[int(len(values) * 0.95) - 1]:>8.1f} {errors[name]:>7}"
        )
    print(f"throughput: {total / elapsed:.1f} requests/s; errors: {sum(errors.values())}")
    if sum(errors.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
