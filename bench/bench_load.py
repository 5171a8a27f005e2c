"""Mixed read/write load against real gunicorn instances on loopback, one or several behind haproxy.

    .venv/bin/python bench/bench_load.py [--users 20] [--seconds 60] [--clients 5000]
        [--instances 1] [--proxy haproxy] [--compare] [--workers 3] [--threads 1] [--think 0]

Each simulated user signs in and loops over a weighted mix of what the firm does all day: the
client list, client pages, the clients API, and edits through the API (with If-Match), waiting
`--think` seconds on average between requests (0: as fast as the servers answer). Prints
throughput, median and p95 per kind of request and the error count (which must be 0; a 412 on a
contended edit is not an error, it is the lost-update guard doing its job; a redirect to the
sign-in page is one).

With `--instances N` (N > 1, or `--proxy haproxy`), N gunicorn instances with the same settings,
each on its own port and all sharing the benchmark's PostgreSQL database and a Redis database, are
put behind Debian's haproxy (round robin, health-checked on `/healthz`, loopback only) and the users
go through the proxy. Before the load, one user signs in across instances (the form from one, the
post to another) and reads and edits through each instance directly: sessions and CSRF must hold
whichever instance answers. `--compare` runs one instance, then N, behind the same proxy set-up,
and prints the ratios of throughput and p95. Every process and temporary file is removed at the
end, also on errors and Ctrl-C.

The firm is bench/dashboard_seed.py's (the demo firm at --clients key clients, with a year of
daily scores), in its own database (--database), seeded once and reused.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, setup_django

PASSWORD = "keyline-demo-2026"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BACKEND_HEADER = "X-Keyline-Backend"  # set by the generated haproxy.cfg: which instance answered


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20, help="concurrent simulated users (default 20)")
    parser.add_argument("--seconds", type=float, default=60, help="length of each run (default 60)")
    parser.add_argument("--clients", type=int, default=5000, help="key clients in the seeded firm (default 5000)")
    parser.add_argument("--database", default="keyline_bench_load", help="the benchmark's database")
    parser.add_argument("--instances", type=int, default=1, help="gunicorn instances (default 1)")
    parser.add_argument(
        "--proxy",
        choices=["none", "haproxy"],
        help="put the instances behind haproxy (the default with more than one instance)",
    )
    parser.add_argument("--compare", action="store_true", help="run 1 instance, then --instances, and compare")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per instance (default 3)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (default 1: sync workers)")
    parser.add_argument("--think", type=float, default=0, help="mean seconds a user waits between requests")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
        help="the Redis the instances share ('' for none); keys the run adds are removed afterwards",
    )
    parser.add_argument("--no-seed", action="store_true", help="use the firm in --database as it is")
    parser.add_argument("--no-collectstatic", action="store_true", help="serve the static files already collected")
    options = parser.parse_args(argv)
    if options.instances < 1 or options.users < 1:
        parser.error("--instances and --users must be at least 1")
    if options.proxy is None:
        options.proxy = "haproxy" if options.instances > 1 or options.compare else "none"
    if options.instances > 1 and options.proxy == "none":
        parser.error("several instances need a proxy in front: --proxy haproxy")
    if options.compare and options.instances < 2:
        parser.error("--compare needs --instances 2 or more")
    return options


# --- The firm -----------------------------------------------------------------------------------------


@dataclass
class Firm:
    client_ids: list[int]
    partners: list[str]
    led: dict[str, int]  # a partner's email -> a client they lead (for the cross-instance edit check)
    size: int


def prepare_firm(clients: int, seed: bool = True) -> Firm:
    from django.db import connection

    from accounts.models import Assignment, Client, User
    from bench.dashboard_seed import seed_firm

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT as_of) FROM health_healthscore")
        days = cursor.fetchone()[0]
    if seed and (Client.objects.count() < clients or days < 365):
        seed_firm(clients)
    size = Client.objects.count()
    print(f"Firm: {size:,} clients, seeded/checked in {time.perf_counter() - started:.0f}s", flush=True)
    partners = list(
        User.objects.filter(role__in=["partner", "bd", "managing_partner"], is_active=True)
        .order_by("id")
        .values_list("email", flat=True)
    )
    led = dict(
        Assignment.objects.filter(role="crp", end_date__isnull=True, client__confidential=False)
        .order_by("client_id")
        .values_list("user__email", "client_id")
    )
    client_ids = list(Client.objects.filter(confidential=False).order_by("id").values_list("id", flat=True)[:500])
    if not partners or not client_ids:
        raise SystemExit("the benchmark firm has no partners or no clients")
    return Firm(client_ids=client_ids, partners=partners, led=led, size=size)


# --- Processes ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited ({process.returncode}) before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {seconds:.0f}s")


@contextmanager
def process_group(command: list[str], **kwargs) -> Iterator[subprocess.Popen]:
    """A child in its own process group (gunicorn's workers, haproxy), ended with it."""
    process = subprocess.Popen(command, start_new_session=True, **kwargs)
    try:
        yield process
    finally:
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue


def haproxy_config(port: int, backends: list[int], slots: int) -> str:
    """Round robin over the instances; each gets at most `slots` requests at once (its workers ×
    threads) and the rest wait in haproxy's queue, so a health check never waits behind a backlog
    of requests in a busy instance's socket (a sync worker answers one request at a time)."""
    servers = "\n".join(
        f"    server web{i} 127.0.0.1:{backend} check inter 2s fall 3 rise 2 maxconn {slots}"
        for i, backend in enumerate(backends, 1)
    )
    return f"""\
global
    maxconn 4096

defaults
    mode http
    option forwardfor
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout queue 60s
    timeout check 10s

frontend keyline
    bind 127.0.0.1:{port}
    default_backend web

backend web
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    http-response set-header {BACKEND_HEADER} %s
{servers}
"""


@contextmanager
def deployment(options: argparse.Namespace, instances: int) -> Iterator[tuple[str, list[str], list[int]]]:
    """`instances` gunicorns (and haproxy in front when asked): yields the users' base URL, each
    instance's own and their process groups."""
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost", "REDIS_URL": options.redis_url}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--log-level",
        "warning",
        "--timeout",
        "120",
    ]
    command += ["--workers", str(options.workers)]
    if options.threads > 1:
        command += ["--threads", str(options.threads)]
    with ExitStack() as stack:
        bases = []
        for _ in range(instances):
            port = free_port()
            server = stack.enter_context(
                process_group(
                    [*command, "--bind", f"127.0.0.1:{port}"],
                    cwd=ROOT,
                    env=env,
                )
            )
            bases.append((f"http://127.0.0.1:{port}", server))
        for base, server in bases:
            wait_until_up(f"{base}/healthz", server)
        if options.proxy == "none":
            print(f"\ngunicorn on {bases[0][0]}", flush=True)
            yield bases[0][0], [bases[0][0]], [bases[0][1].pid]
            return
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not os.path.exists(haproxy):
            raise SystemExit("haproxy is not installed: apt-get install haproxy (scripts/setup.sh --dev does)")
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="keyline-haproxy-")))
        port = free_port()
        config = folder / "haproxy.cfg"
        config.write_text(
            haproxy_config(port, [int(base.rsplit(":", 1)[1]) for base, _ in bases], options.workers * options.threads)
        )
        subprocess.run([haproxy, "-c", "-q", "-f", str(config)], check=True)
        proxy = stack.enter_context(process_group([haproxy, "-db", "-f", str(config)], stdout=subprocess.DEVNULL))
        wait_until_up(f"http://127.0.0.1:{port}/healthz", proxy)
        print(
            f"\nhaproxy on http://127.0.0.1:{port} in front of {', '.join(base for base, _ in bases)} "
            f"(haproxy.cfg: {config})",
            flush=True,
        )
        yield f"http://127.0.0.1:{port}", [base for base, _ in bases], [server.pid for _, server in bases]


@contextmanager
def redis_keys_removed(url: str) -> Iterator[None]:
    """Remove the keys the run adds to the shared Redis database (queued tasks, cache entries)."""
    if not url:
        yield
        return
    import redis

    connection = redis.Redis.from_url(url, socket_connect_timeout=2)
    before = set(connection.scan_iter(count=1000))
    try:
        yield
    finally:
        added = [key for key in connection.scan_iter(count=1000) if key not in before]
        if added:
            connection.delete(*added)
        connection.close()


class CpuMeter:
    """CPU seconds the web processes (gunicorn's process groups) and the benchmark database's
    PostgreSQL backends use between start() and stop(), read from /proc: what a request costs,
    whatever else the machine is doing. Polled, so a backend that closes (CONN_MAX_AGE) keeps the
    CPU it had used when last seen. Nothing is measured where /proc or the server is elsewhere."""

    def __init__(self, groups: list[int], database: str):
        self.groups = set(groups)
        self.title = f" {database} "
        self.kinds: dict[str, str] = {}  # pid -> "web", "db" or "" (neither), found once
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def _sample(self) -> dict[str, float]:
        seen = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or self.kinds.get(pid) == "":
                continue
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                if pid not in self.kinds:
                    title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    is_db = title.startswith("postgres: ") and self.title in title
                    self.kinds[pid] = "web" if int(fields[2]) in self.groups else "db" if is_db else ""
            except OSError:
                continue
            if self.kinds[pid]:
                seen[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        return seen

    def _poll(self) -> None:
        while not self.done.wait(0.5):
            self.last.update(self._sample())

    def start(self) -> None:
        self.first = self._sample()
        self.last = dict(self.first)
        self.thread.start()

    def stop(self) -> dict[str, float]:
        self.done.set()
        self.thread.join()
        self.last.update(self._sample())
        used = {"web": 0.0, "db": 0.0}
        for pid, seconds in self.last.items():
            used[self.kinds[pid]] += seconds - self.first.get(pid, 0.0)
        return used


# --- Users --------------------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to count (302 to the sign-in page: the session was not recognised)."""

    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    headers: object
    backend: str = ""


class User_:
    def __init__(self, base: str, email: str, form_from: str | None = None):
        """Sign in through `base`; the sign-in form is fetched from `form_from` when given (another
        instance: the CSRF cookie and token must be honoured by whichever instance gets the post)."""
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects)
        with self.opener.open(f"{form_from or base}/login/", timeout=30) as response:
            page = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD})
        answer = self.send(
            "POST", f"{base}/login/", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        )
        location = answer.headers.get("Location", "") if answer.headers else ""
        if answer.status != 302 or "/login/" in location:
            raise RuntimeError(f"sign-in as {email} failed: {answer.status} {location}")
        self.csrf = next(c.value for c in self.jar if c.name == "csrftoken")

    def send(self, method: str, url: str, data: bytes | None, headers: dict) -> Answer:
        request = urllib.request.Request(url, data=data, method=method, headers={"Referer": self.base, **headers})
        try:
            with self.opener.open(request, timeout=30) as response:
                response.read()
                return Answer(response.status, response.headers, response.headers.get(BACKEND_HEADER, ""))
        except urllib.error.HTTPError as error:
            error.read()
            return Answer(error.code, error.headers, (error.headers or {}).get(BACKEND_HEADER, ""))
        except OSError as error:  # refused, reset, timed out: an error like any other
            print(f"  {method} {url}: {error}", file=sys.stderr)
            return Answer(0, {})

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None, base: str = ""):
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"X-CSRFToken": self.csrf, "Content-Type": "application/json", **(headers or {})}
        return self.send(method, (base or self.base) + path, data, all_headers)


# --- The mix ------------------------------------------------------------------------------------------


def scenario_client_list(user: User_, firm: Firm) -> tuple[str, Answer]:
    return "GET /clients/", user.call("GET", f"/clients/?page={random.randint(1, 20)}")


def scenario_client_page(user: User_, firm: Firm) -> tuple[str, Answer]:
    return "GET /clients/<id>/", user.call("GET", f"/clients/{random.choice(firm.client_ids)}/")


def scenario_api_list(user: User_, firm: Firm) -> tuple[str, Answer]:
    return "GET /api/clients/", user.call("GET", "/api/clients/?search=energy")


def scenario_api_edit(user: User_, firm: Firm) -> tuple[str, Answer]:
    pk = random.choice(firm.client_ids[:50])  # a small hot set, so edits contend
    answer = user.call("GET", f"/api/clients/{pk}/")
    if answer.status != 200:
        return "PATCH /api/clients/<id>/", answer
    etag = answer.headers["ETag"]
    return "PATCH /api/clients/<id>/", user.call(
        "PATCH", f"/api/clients/{pk}/", {"notes": f"Load note {time.time()}"}, {"If-Match": etag}
    )


SCENARIOS: list[tuple[Callable[[User_, Firm], tuple[str, Answer]], int]] = [
    (scenario_client_list, 4),
    (scenario_client_page, 4),
    (scenario_api_list, 2),
    (scenario_api_edit, 1),
]
OK = {200, 201, 412}  # 412: refused as stale, by design; 403 on an edit: the user may not edit that client


def is_error(name: str, status: int) -> bool:
    return status not in OK and not (status == 403 and name.startswith("PATCH"))


def check_shared_state(firm: Firm, proxy: str, instances: list[str]) -> None:
    """One partner signs in with the form from one instance and the post to another, then reads a
    page and edits a client they lead through each instance directly."""
    email = next(email for email in firm.partners if email in firm.led)
    pk = firm.led[email]
    user = User_(instances[-1], email, form_from=instances[0])
    for i, base in enumerate(instances):
        page = user.call("GET", "/clients/", base=base)
        read = user.call("GET", f"/api/clients/{pk}/", base=instances[i - 1])
        edit = user.call(
            "PATCH",
            f"/api/clients/{pk}/",
            {"notes": "Checked across instances"},
            {"If-Match": read.headers.get("ETag", "")},
            base=base,
        )
        if (page.status, read.status, edit.status) != (200, 200, 200):
            raise RuntimeError(
                f"session/CSRF not shared: {base} answered /clients/ {page.status}, "
                f"{instances[i - 1]} the read {read.status}, {base} the edit {edit.status}"
            )
    through_proxy = user.call("GET", "/clients/", base=proxy)
    if through_proxy.status != 200:
        raise RuntimeError(f"the proxy answered {through_proxy.status} to a signed-in user")
    print(f"Sessions and CSRF hold across {len(instances)} instance(s): sign-in, reads and edits on each", flush=True)


@dataclass
class Result:
    instances: int
    seconds: float
    timings: dict[str, list[float]]
    errors: dict[str, int]
    backends: Counter = field(default_factory=Counter)
    load_before: tuple[float, float, float] = (0, 0, 0)
    load_after: tuple[float, float, float] = (0, 0, 0)
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def http_requests(self) -> int:  # an edit is a read for the ETag, then the PATCH
        return self.total + sum(len(v) for name, v in self.timings.items() if name.startswith("PATCH"))

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.timings.values())

    @property
    def throughput(self) -> float:
        return self.total / self.seconds

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]


def run_load(options: argparse.Namespace, firm: Firm, base: str, instances: int, meter: CpuMeter) -> Result:
    with ThreadPoolExecutor(max_workers=8) as pool:  # signing in hashes a password: in parallel
        users = list(pool.map(lambda i: User_(base, firm.partners[i % len(firm.partners)]), range(options.users)))
    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    backends: Counter = Counter()
    lock = threading.Lock()
    stop = threading.Event()
    weighted = [scenario for scenario, weight in SCENARIOS for _ in range(weight)]

    def loop(user: User_) -> None:
        while not stop.is_set():
            started = time.perf_counter()
            name, answer = random.choice(weighted)(user, firm)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings[name].append(elapsed)
                backends[answer.backend] += 1
                if is_error(name, answer.status):
                    errors[name] += 1
            if options.think:
                stop.wait(random.uniform(0, 2 * options.think))

    load_before = os.getloadavg()
    meter.start()
    threads = [threading.Thread(target=loop, args=(user,), daemon=True) for user in users]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        stop.wait(options.seconds)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    elapsed = time.monotonic() - started
    cpu = meter.stop()
    return Result(instances, elapsed, dict(timings), dict(errors), backends, load_before, os.getloadavg(), cpu)


def print_result(options: argparse.Namespace, firm: Firm, result: Result) -> None:
    threads = f" × {options.threads} threads" if options.threads > 1 else " (sync)"
    proxy = " behind haproxy" if options.proxy == "haproxy" else ""
    print(
        f"\nLoad: {options.users} users, {result.seconds:.0f}s, {result.instances} gunicorn instance(s){proxy}, "
        f"{options.workers} workers{threads} each, think {options.think:g}s, {firm.size:,} clients, "
        f"{os.cpu_count()} CPUs, load average {result.load_before[0]:.2f} before / {result.load_after[0]:.2f} after"
    )
    print(f"{'request':<28} {'count':>6} {'median ms':>10} {'p95 ms':>8} {'errors':>7}")
    for name, values in sorted(result.timings.items()):
        print(
            f"{name:<28} {len(values):>6} {statistics.median(values):>10.1f} "
            f"{p95(values):>8.1f} {result.errors.get(name, 0):>7}"
        )
    if options.proxy == "haproxy":
        shares = ", ".join(f"{name or '?'} {count}" for name, count in sorted(result.backends.items()))
        print(f"answered by: {shares}")
    if result.cpu.get("web"):
        each = 1000 / result.http_requests
        print(
            f"CPU per HTTP request ({result.http_requests} in all): gunicorn {result.cpu['web'] * each:.1f} ms, "
            f"PostgreSQL {result.cpu['db'] * each:.1f} ms; CPU used {sum(result.cpu.values()) / result.seconds:.2f} "
            f"of {os.cpu_count()} cores"
        )
    print(f"throughput: {result.throughput:.1f} requests/s; errors: {result.error_count}", flush=True)


def print_comparison(one: Result, many: Result) -> None:
    print(f"\n{many.instances} instances against 1 (same proxy, users and mix)")
    print(f"{'':<28} {'1 instance':>11} {f'{many.instances} instances':>12} {'ratio':>7}")
    print(
        f"{'throughput (requests/s)':<28} {one.throughput:>11.1f} {many.throughput:>12.1f} "
        f"{many.throughput / one.throughput:>7.2f}"
    )
    for name in sorted(one.timings.keys() | many.timings.keys()):
        if name in one.timings and name in many.timings:
            a, b = p95(one.timings[name]), p95(many.timings[name])
            print(f"{'p95 ' + name:<28} {a:>11.1f} {b:>12.1f} {b / a:>7.2f}")
    print(f"{'errors':<28} {one.error_count:>11} {many.error_count:>12}", flush=True)


def measure(options: argparse.Namespace, firm: Firm, instances: int) -> Result:
    with redis_keys_removed(options.redis_url), deployment(options, instances) as (base, direct, groups):
        if options.proxy == "haproxy":
            check_shared_state(firm, base, direct)
        result = run_load(options, firm, base, instances, CpuMeter(groups, options.database))
    print_result(options, firm, result)
    return result


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)

    def stop(signum, frame):  # a SIGTERM unwinds like Ctrl-C: every process and file is removed
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    setup_django(options.database)
    firm = prepare_firm(options.clients, seed=not options.no_seed)
    if not options.no_collectstatic:  # gunicorn serves the hashed static files, as deployed
        env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
    results = [measure(options, firm, 1)] if options.compare else []
    results.append(measure(options, firm, options.instances))
    if options.compare:
        print_comparison(results[0], results[1])
    return 1 if any(result.error_count for result in results) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped", file=sys.stderr)
        sys.exit(130)
