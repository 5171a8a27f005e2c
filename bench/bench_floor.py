"""Keyline against the floor: what a bare Django page costs on the same machine, in the same run.

    .venv/bin/python bench/bench_floor.py [--clients 5000] [--requests 30] [--database keyline_bench_floor]
    .venv/bin/python bench/bench_floor.py --scale 10x [--no-seed] [--requests 10]

`--scale 10x` measures ten times the demo firm instead (bench/scale_seed.py: 50,000 clients, 500
partners, 2 M interactions, five years of daily scores) in its own database, keyline_bench_10x.

In one process tree and one run:

* the floor: a `startproject` app generated into a temporary folder, with the generic Django
  middlewares of Keyline's MIDDLEWARE (security, sessions, common, CSRF, auth, messages,
  clickjacking, CSP) and Keyline's database connection settings, whose one view lists 50 rows of a
  PostgreSQL table as a signed-in user; served by gunicorn with one sync worker;
* Keyline on the benchmark firm (bench/dashboard_seed.py: the demo firm at --clients key clients and
  a year of daily scores; ANALYZE after seeding), served by gunicorn with one sync worker;
* a sequential keep-alive client signed in as a partner, a BD user and a managing partner, timing
  every page (wall time of request and body). The floor is timed in blocks between the roles, and
  its median is taken over all of them.

Per page: median and p95 (ms), SQL statements per request (counted server-side by
bench/querycount.py, session and user look-ups included), response bytes and the median's ratio to
the floor's median; then the EXPLAIN (ANALYZE, BUFFERS) of each page's slowest statement.
A page that answers other than 200 is listed with its status (403: not this role's page).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, setup_django

PASSWORD = "keyline-demo-2026"
FLOOR_PASSWORD = "floor-bench-password-2026"
ROLES = [("partner", "partner@keyline.example"), ("bd", "bd@keyline.example"), ("mp", "mp@keyline.example")]
COUNTED_REQUESTS = 3  # requests whose statements are logged, to count them and find the slowest


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=5000, help="key clients in the seeded firm (default 5000)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first (default 3)")
    parser.add_argument(
        "--database", help="Keyline's benchmark database (default keyline_bench_floor, at 10x keyline_bench_10x)"
    )
    parser.add_argument(
        "--scale", choices=["10x"], help="seed the firm at this scale in set-based SQL (bench/scale_seed.py)"
    )
    parser.add_argument("--no-seed", action="store_true", help="measure the database as it is (no seeding)")
    parser.add_argument("--no-collectstatic", action="store_true", help="serve the static files already collected")
    parser.add_argument("--no-explain", action="store_true", help="skip the EXPLAIN of each page's slowest query")
    options = parser.parse_args()
    if options.scale:
        from bench.scale_seed import SCALES

        options.clients = SCALES[options.scale].clients
    options.database = options.database or (
        f"keyline_bench_{options.scale}" if options.scale else "keyline_bench_floor"
    )
    return options


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share + 0.5) - 1)]


# --- Keyline's data ---------------------------------------------------------------------------------


def seed(clients: int) -> None:
    from django.db import connection

    from accounts.models import Client
    from bench.dashboard_seed import seed_firm

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT as_of) FROM health_healthscore")
        days = cursor.fetchone()[0]
    if Client.objects.count() < clients or days < 365:
        seed_firm(clients)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # autovacuum may be off: plans from fresh statistics
    print(f"Keyline firm: {Client.objects.count():,} clients, seeded/checked in {time.perf_counter() - started:.0f}s")


def pick_targets() -> dict[str, int]:
    """A non-confidential client the partner leads, with a plan and stakeholders: every role sees it."""
    from accounts.models import Assignment, Client, User
    from planning.models import AccountPlan
    from stakeholders.models import Stakeholder

    partner = User.objects.get(email=ROLES[0][1])
    led = (
        Assignment.objects.filter(user=partner, role="crp", end_date__isnull=True, client__confidential=False)
        .order_by("client_id")
        .values_list("client_id", flat=True)
    )
    for client_id in led:
        plan = AccountPlan.objects.filter(client_id=client_id).order_by("-year").first()
        person = Stakeholder.objects.filter(client_id=client_id, status="active").order_by("id").first()
        if plan and person:
            return {"client": client_id, "plan": plan.pk, "stakeholder": person.pk}
    client = Client.objects.filter(confidential=False).order_by("id").first()
    raise SystemExit(f"no client led by {partner.email} with a plan and stakeholders (first client: {client})")


def pages(target: dict[str, int]) -> list[tuple[str, str]]:
    c, p, s = target["client"], target["plan"], target["stakeholder"]
    return [
        ("client list", "/clients/"),
        ("client page", f"/clients/{c}/"),
        ("partner home", "/home/"),
        ("dashboard", "/dashboard/"),
        ("overview", "/overview/"),
        ("plan page", f"/plans/{p}/"),
        ("client plans", f"/clients/{c}/plans/"),
        ("stakeholders: org chart", f"/clients/{c}/stakeholders/"),
        ("stakeholders: map", f"/clients/{c}/stakeholders/map/"),
        ("stakeholders: gaps", f"/clients/{c}/stakeholders/gaps/"),
        ("stakeholders: matrix", f"/clients/{c}/stakeholders/matrix/"),
        ("stakeholder page", f"/stakeholders/{s}/"),
        ("interaction timeline", f"/clients/{c}/interactions/"),
        ("My actions", "/my/actions/"),
        ("API clients", "/api/clients/"),
        ("API client", f"/api/clients/{c}/"),
        ("API stakeholders", "/api/stakeholders/"),
        ("API stakeholder", f"/api/stakeholders/{s}/"),
        ("API interactions", "/api/interactions/"),
        ("API plans", "/api/plans/"),
        ("API plan", f"/api/plans/{p}/"),
        ("API actions", "/api/actions/"),
        ("listening overview", "/listening/"),
        ("stewardship", "/stewardship/"),
        ("feeds", "/feeds/"),
        ("review queue", "/review/"),
        ("audit log", "/audit/"),
    ]


# --- The floor --------------------------------------------------------------------------------------

FLOOR_MODELS = """from django.db import models


class Company(models.Model):
    name = models.CharField(max_length=200, db_index=True)
    sector = models.CharField(max_length=100)
    city = models.CharField(max_length=100)
    revenue = models.DecimalField(max_digits=14, decimal_places=2)
    created = models.DateTimeField()
"""

FLOOR_VIEWS = """from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from floor.models import Company


@login_required
def companies(request):
    return render(request, "floor/companies.html", {"companies": Company.objects.order_by("name")[:50]})
"""

FLOOR_URLS = """from django.contrib.auth import views as auth_views
from django.urls import path

from floor import views

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("companies/", views.companies, name="companies"),
]
"""

FLOOR_LIST_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Companies</title></head>
<body><h1>Companies</h1><p>Signed in as {{ user.get_username }}</p>
<table><thead><tr><th>Name</th><th>Sector</th><th>City</th><th>Revenue</th><th>Since</th></tr></thead><tbody>
{% for company in companies %}<tr><td>{{ company.name }}</td><td>{{ company.sector }}</td><td>{{ company.city }}</td>
<td>{{ company.revenue }}</td><td>{{ company.created|date:"Y-m-d" }}</td></tr>
{% endfor %}</tbody></table></body></html>
"""

FLOOR_LOGIN_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head>
<body><form method="post">{% csrf_token %}{{ form.as_p }}<button type="submit">Sign in</button></form></body></html>
"""

FLOOR_SEED = """
INSERT INTO floor_company (name, sector, city, revenue, created)
SELECT 'Company ' || lpad(g::text, 6, '0'), (ARRAY['Energy','Banking','Retail','Health','Media'])[1 + g %% 5],
       (ARRAY['London','Leeds','Bristol','Glasgow'])[1 + g %% 4], 1000 * (g %% 977), now() - g * interval '1 hour'
FROM generate_series(1, %s) g
"""


def floor_settings(database_url: str) -> str:
    """Overrides appended to startproject's settings.py: the same generic middlewares, database
    connection handling and security headers as Keyline."""
    from django.conf import settings

    middleware = [name for name in settings.MIDDLEWARE if name.startswith("django.")]
    db = settings.DATABASES["default"]
    return f"""

# --- bench/bench_floor.py: as Keyline serves ---
import dj_database_url
from django.utils.csp import CSP

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [*INSTALLED_APPS, "floor"]
MIDDLEWARE = {middleware!r}
if os.environ.get("BENCH_QUERY_LOG"):
    MIDDLEWARE = ["bench.querycount.QueryCountMiddleware", *MIDDLEWARE]
DATABASES = {{"default": dj_database_url.parse({database_url!r}, conn_max_age={db["CONN_MAX_AGE"]!r},
    conn_health_checks={db["CONN_HEALTH_CHECKS"]!r})}}
SESSION_COOKIE_AGE = {settings.SESSION_COOKIE_AGE!r}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = {settings.SESSION_COOKIE_SAMESITE!r}
X_FRAME_OPTIONS = {settings.X_FRAME_OPTIONS!r}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = {settings.SECURE_REFERRER_POLICY!r}
SECURE_CSP = {{
    "default-src": [CSP.SELF], "script-src": [CSP.SELF, CSP.NONCE], "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"], "object-src": [CSP.NONE], "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE], "form-action": [CSP.SELF],
}}
TEMPLATES[0]["OPTIONS"]["context_processors"].insert(1, "django.template.context_processors.csp")
TIME_ZONE = {settings.TIME_ZONE!r}
USE_TZ = True
LOGIN_REDIRECT_URL = "/companies/"
"""


def build_floor(folder: Path, database: str, rows: int) -> dict[str, str]:
    import psycopg

    base = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    admin = [sys.executable, "-m", "django"]
    subprocess.run([*admin, "startproject", "floorsite", str(folder)], check=True)
    subprocess.run([sys.executable, "manage.py", "startapp", "floor"], cwd=folder, check=True)
    (folder / "floor" / "models.py").write_text(FLOOR_MODELS)
    (folder / "floor" / "views.py").write_text(FLOOR_VIEWS)
    (folder / "floorsite" / "urls.py").write_text(FLOOR_URLS)
    templates = folder / "floor" / "templates"
    (templates / "floor").mkdir(parents=True)
    (templates / "registration").mkdir()
    (templates / "floor" / "companies.html").write_text(FLOOR_LIST_TEMPLATE)
    (templates / "registration" / "login.html").write_text(FLOOR_LOGIN_TEMPLATE)
    settings_file = folder / "floorsite" / "settings.py"
    source = settings_file.read_text()
    if "import os" not in source:
        source = "import os\n" + source
    settings_file.write_text(source + floor_settings(f"{base}/{database}"))
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "floorsite.settings",
        "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]),
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "makemigrations", "floor", "-v0"], cwd=folder, env=env, check=True)
    subprocess.run([*manage, "migrate", "-v0"], cwd=folder, env=env, check=True)
    script = (
        "from django.contrib.auth.models import User; from django.db import connection; "
        f"User.objects.create_user('floor', password={FLOOR_PASSWORD!r}); "
        f"connection.cursor().execute({FLOOR_SEED!r}, [{rows}]); connection.cursor().execute('ANALYZE')"
    )
    subprocess.run([*manage, "shell", "-c", script], cwd=folder, env=env, check=True)
    return env


# --- Serving and measuring ------------------------------------------------------------------------


def serve(app: str, cwd: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    command += ["--worker-class", "sync", "--log-level", "warning", "--timeout", "120"]
    server = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            requests.get(f"{base}/", timeout=60, allow_redirects=False)
            return server, base
        except requests.RequestException:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn for {app} exited with {server.returncode}") from None
            time.sleep(0.2)
    stop(server)
    raise SystemExit(f"gunicorn for {app} did not start")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def sign_in(base: str, login_path: str, username: str, password: str) -> requests.Session:
    http = requests.Session()
    page = http.get(base + login_path, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = http.post(
        base + login_path,
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        headers={"Referer": base + login_path},
        timeout=30,
        allow_redirects=False,
    )
    if answer.status_code != 302 or "sessionid" not in http.cookies:
        raise SystemExit(f"could not sign in as {username} at {base}: {answer.status_code}")
    return http


def get(http: requests.Session, url: str, **headers: str) -> requests.Response:
    return http.get(url, headers=headers, timeout=120, allow_redirects=False)


def measure(http: requests.Session, url: str, options: argparse.Namespace, log: Path) -> dict:
    """Time one page; count its statements server-side and keep its slowest one."""
    for _ in range(options.warmup):
        response = get(http, url)
        if response.status_code != 200:
            where = f" to {response.headers.get('Location')}" if response.is_redirect else ""
            return {"status": f"{response.status_code}{where}"}
    runs = []
    for _ in range(COUNTED_REQUESTS):
        token = uuid.uuid4().hex
        get(http, url, **{"X-Bench-Queries": token})
        runs.append(json.loads((log / f"{token}.json").read_text()))
    timings, size = [], 0
    for _ in range(options.requests):
        started = time.perf_counter()
        response = get(http, url)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            return {"status": f"{response.status_code} while timing"}
        size = len(response.content)
    return {
        "status": "200",
        "timings": timings,
        "median": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "queries": len(runs[0]),
        "bytes": size,
        "slowest": slowest_statement(runs),
    }


EXPLAINABLE = re.compile(r"^\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def slowest_statement(runs: list[list[dict]]) -> dict | None:
    """The statement with the largest median time over the counted requests (by position when every
    request ran the same statements, else from the first request)."""
    first = runs[0]
    same = all(len(run) == len(first) for run in runs)
    best = None
    for index, statement in enumerate(first):
        if statement["many"] or not EXPLAINABLE.match(statement["sql"]):
            continue
        ms = statistics.median(run[index]["ms"] for run in runs) if same else statement["ms"]
        if best is None or ms > best["ms"]:
            best = {"sql": statement["sql"], "ms": ms}
    return best


def explain(sql: str, database_alias: str = "default") -> str:
    from django.db import connections, transaction

    connection = connections[database_alias]
    with transaction.atomic(using=database_alias):
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            lines = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True, using=database_alias)  # an UPDATE explained changes nothing
    return "\n".join(lines)


def explain_floor(floor_database: str, sql: str) -> str:
    import psycopg

    base = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
    with psycopg.connect(f"{base}/{floor_database}") as conn:
        rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}").fetchall()  # type: ignore[arg-type]
        conn.rollback()
    return "\n".join(row[0] for row in rows)


def main() -> None:
    options = parse_args()
    setup_django(options.database)
    if options.scale and not options.no_seed:
        from bench.scale_seed import SCALES, seed_scaled

        seed_scaled(SCALES[options.scale])
    elif not options.no_seed:
        seed(options.clients)
    target = pick_targets()
    from django.conf import settings
    from django.db import connection

    connection.close()  # the served processes open their own
    log = Path(tempfile.mkdtemp(prefix="bench-floor-log-"))
    floor_dir = Path(tempfile.mkdtemp(prefix="bench-floor-app-"))
    floor_database = f"{options.database}_floor"
    floor_env = build_floor(floor_dir, floor_database, options.clients)
    floor_env["BENCH_QUERY_LOG"] = str(log)
    keyline_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.serve_settings",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "AXES_ENABLED": "true",
        "BENCH_QUERY_LOG": str(log),
    }
    if not options.no_collectstatic:  # gunicorn serves the hashed static files, as deployed
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=keyline_env, check=True
        )
    servers = []
    try:
        floor_server, floor_base = serve("floorsite.wsgi:application", floor_dir, floor_env)
        servers.append(floor_server)
        keyline_server, keyline_base = serve("config.wsgi:application", ROOT, keyline_env)
        servers.append(keyline_server)
        floor_http = sign_in(floor_base, "/accounts/login/", "floor", FLOOR_PASSWORD)
        floor_url = f"{floor_base}/companies/"
        floor_blocks: list[dict] = []
        results: list[tuple[str, str, str, dict]] = []
        for role, email in ROLES:
            floor_blocks.append(measure(floor_http, floor_url, options, log))
            http = sign_in(keyline_base, "/login/", email, PASSWORD)
            for label, path in pages(target):
                results.append((role, label, path, measure(http, keyline_base + path, options, log)))
        floor_blocks.append(measure(floor_http, floor_url, options, log))
    finally:
        for server in servers:
            stop(server)
    report(options, settings, target, floor_blocks, results, floor_database)
    shutil.rmtree(log, ignore_errors=True)
    shutil.rmtree(floor_dir, ignore_errors=True)


def report(options, settings, target, floor_blocks, results, floor_database) -> None:
    from accounts.models import Client

    floor_times = [ms for block in floor_blocks for ms in block["timings"]]
    floor_median = statistics.median(floor_times)
    floor = floor_blocks[0]
    print(
        f"\nKeyline against the bare-Django floor: {Client.objects.count():,} clients, gunicorn 1 sync worker each, "
        f"sequential keep-alive client, {options.requests} timed requests per page after {options.warmup} warm-up; "
        f"target client {target['client']}, plan {target['plan']}, stakeholder {target['stakeholder']}"
    )
    print(
        "floor: startproject app listing 50 of "
        f"{options.clients:,} rows as a signed-in user, middlewares "
        + ", ".join(m.rsplit(".", 1)[1] for m in settings.MIDDLEWARE if m.startswith("django."))
    )
    print(
        f"floor median {floor_median:.1f} ms, p95 {percentile(floor_times, 0.95):.1f} ms over {len(floor_times)} "
        f"requests (blocks: {', '.join(f'{b["median"]:.1f}' for b in floor_blocks)} ms), "
        f"{floor['queries']} queries, {floor['bytes']:,} bytes"
    )
    header = f"{'role':<8} {'page':<24} {'median ms':>9} {'p95 ms':>8} {'queries':>7} {'bytes':>9} {'× floor':>8}"
    print("\n" + header)
    print("-" * len(header))
    print(
        f"{'-':<8} {'floor (bare Django)':<24} {floor_median:>9.1f} {percentile(floor_times, 0.95):>8.1f} "
        f"{floor['queries']:>7} {floor['bytes']:>9,} {1:>8.2f}"
    )
    failures = []
    for role, label, path, result in results:
        if result["status"] != "200":
            print(f"{role:<8} {label:<24} {'answered ' + result['status']:>47}")
            if not result["status"].startswith(("403", "302")):
                failures.append((role, path, result["status"]))
            continue
        ratio = result["median"] / floor_median
        print(
            f"{role:<8} {label:<24} {result['median']:>9.1f} {result['p95']:>8.1f} {result['queries']:>7} "
            f"{result['bytes']:>9,} {ratio:>8.2f}"
        )
    measured = [r for *_, r in results if r["status"] == "200"]
    over = [r for r in measured if r["median"] > 2.5 * floor_median or r["queries"] > 15]
    print(f"\n{len(measured)} pages measured; {len(over)} over 2.5× the floor median or over 15 queries")
    if failures:
        print("pages that failed: " + "; ".join(f"{role} {path}: {status}" for role, path, status in failures))
    if options.no_explain:
        return
    print("\nSlowest statement of each page, EXPLAIN (ANALYZE, BUFFERS)")
    slowest = floor.get("slowest")
    if slowest:
        print(f"\n=== floor: {slowest['ms']:.2f} ms\n{slowest['sql'][:400]}")
        print(explain_floor(floor_database, slowest["sql"]))
    for role, label, path, result in results:
        if result["status"] != "200" or not result["slowest"]:
            continue
        statement = result["slowest"]
        print(f"\n=== {role} {label} ({path}): {statement['ms']:.2f} ms of {result['queries']} statements")
        print(statement["sql"][:400] + (" …" if len(statement["sql"]) > 400 else ""))
        try:
            print(explain(statement["sql"]))
        except Exception as error:  # one unexplainable statement should not hide the rest
            print(f"(EXPLAIN failed: {error})")


if __name__ == "__main__":
    main()
