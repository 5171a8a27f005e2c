"""Dashboard benchmark: 5,000 key clients with a year of history.

Prints, per page, the SQL queries and the median / p95 server time over N requests (in-process),
then the throughput and error count of 10 concurrent clients against gunicorn on loopback.

    .venv/bin/python bench/bench_dashboard.py [--clients 5000] [--requests 50]

Uses its own database (BENCH_DATABASE_URL, default keyline_dashboards_bench on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# JIT compilation costs more than it saves on short web queries; the benchmark runs with it off.
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/keyline_dashboards_bench?options=-c%20jit%3Doff"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_env")

PAGES = [
    ("dashboard, first page", "bd", "/dashboard/?mine=0"),
    ("dashboard, filtered + sorted", "bd", "/dashboard/?mine=0&tier=1&attention=any&sort=-trend"),
    ("charts, unfiltered (kept warm)", "bd", "/dashboard/charts/?mine=0"),
    ("charts, filtered (uncached)", "bd", "/dashboard/charts/?mine=0&band=amber"),
    ("whitespace map", "bd", "/whitespace/?mine=0"),
    ("managing-partner overview (kept warm)", "mp", "/overview/"),
    ("overview, uncached (the beat's work)", "mp", "/overview/"),
    ("partner home (on ~700 client teams)", "partner", "/home/"),
    ("partner home (on ~440 client teams)", "partner7", "/home/"),
]


def ensure_database(clients: int) -> None:
    import django
    from django.core.management import call_command

    dbname = os.environ["DATABASE_URL"].rsplit("/", 1)[1].split("?")[0]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", dbname], capture_output=True, check=False)
    django.setup()
    call_command("migrate", verbosity=0)
    from bench.dashboard_seed import seed_firm

    started = time.perf_counter()
    seed_firm(clients)
    print(f"seeded/checked {clients} clients in {time.perf_counter() - started:.0f}s")


def users():
    from accounts.models import User

    return {
        "bd": User.objects.get(email="bd@keyline.example"),
        "mp": User.objects.get(email="mp@keyline.example"),
        "partner": User.objects.get(email="partner@keyline.example"),
        "partner7": User.objects.get(email="partner7@keyline.example"),
    }


def measure_in_process(requests: int) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from config.serving import prepare_for_serving

    people = users()
    prepare_for_serving()  # as config/wsgi.py prepares a served process
    print(f"\n{'page':40} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for label, who, url in PAGES:
        http = Client()
        http.force_login(people[who])
        uncached = "uncached" in label
        with override_settings(DASHBOARD_CHART_CACHE_SECONDS=0 if uncached else 60):
            cache.clear()
            for _ in range(3):
                http.get(url)
            statements: list[str] = []

            def count(execute, sql, *args, seen=statements):
                seen.append(sql)
                return execute(sql, *args)

            with connection.execute_wrapper(count):
                response = http.get(url)
            assert response.status_code == 200, (url, response.status_code)
            timings = []
            for _ in range(requests):
                started = time.perf_counter()
                http.get(url)
                timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(f"{label:40} {len(statements):>7} {statistics.median(timings):>10.1f} {p95:>8.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the benchmark process: {peak:.0f} MB")


def session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure_under_load(total: int, concurrency: int = 10, workers: int = 4) -> None:
    people = users()
    cookies = {who: session_cookie(user) for who, user in people.items()}
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_env"},
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        print(f"\nload: {concurrency} concurrent clients, {total} requests per page, gunicorn {workers} workers")
        print(f"{'page':40} {'req/s':>7} {'median ms':>10} {'p95 ms':>8} {'errors':>7}")
        for label, who, path in PAGES:
            if "uncached" in label:
                continue
            url = f"http://127.0.0.1:{port}{path}"

            def fetch(_: int, url=url, cookie=cookies[who]) -> tuple[bool, float]:
                request = urllib.request.Request(url, headers={"Cookie": cookie})
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        response.read()
                        ok = response.status == 200 and "/login/" not in response.url
                except OSError:
                    ok = False
                return ok, (time.perf_counter() - started) * 1000

            list(ThreadPoolExecutor(concurrency).map(fetch, range(concurrency)))  # warm every worker
            started = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                results = list(pool.map(fetch, range(total)))
            elapsed = time.perf_counter() - started
            timings = sorted(ms for _, ms in results)
            errors = sum(1 for ok, _ in results if not ok)
            p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
            print(f"{label:40} {total / elapsed:>7.1f} {statistics.median(timings):>10.1f} {p95:>8.1f} {errors:>7}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--load-requests", type=int, default=200)
    args = parser.parse_args()
    ensure_database(args.clients)
    measure_in_process(args.requests)
    measure_under_load(args.load_requests)


if __name__ == "__main__":
    main()
