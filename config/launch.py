"""Run Keyline on the embedded default: embedded PostgreSQL, eager tasks, demo data, dev server.

    python -m config.launch [--port 8000] [--no-seed]

The database is started here rather than from settings because the dev server's
autoreloader imports settings twice; it is stopped cleanly when the server stops.
"""

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from config.embedded_db import start_embedded_postgres

BASE_DIR = Path(__file__).resolve().parent.parent


def manage(*args: str) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("KEYLINE_PORT", "8000")))
    parser.add_argument("--no-seed", action="store_true", help="skip the demo data")
    options = parser.parse_args()

    server, url = start_embedded_postgres(BASE_DIR / "var" / "pgdata")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "true")
    os.environ.pop("REDIS_URL", None)
    print("Embedded PostgreSQL running (data in var/pgdata).", flush=True)
    child = None
    try:
        manage("migrate", "--no-input", "-v", "0")
        if not options.no_seed:
            manage("seed_demo")
        child = subprocess.Popen(
            [sys.executable, str(BASE_DIR / "manage.py"), "runserver", f"127.0.0.1:{options.port}"]
        )
        signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        return child.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if child and child.poll() is None:
            child.terminate()
            child.wait(timeout=10)
        print("Stopping embedded PostgreSQL…", flush=True)
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
