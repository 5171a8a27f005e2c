"""Client list page and clients API at 5,000 clients, as a logged-in partner.

    .venv/bin/python bench/bench_foundation.py [--clients 5000] [--requests 60]

Targets: ≤ 12 queries and p95 ≤ 40 ms for each.
"""

import argparse
import time

from common import print_table, setup_django

parser = argparse.ArgumentParser()
parser.add_argument("--clients", type=int, default=5000)
parser.add_argument("--requests", type=int, default=60)
options = parser.parse_args()

setup_django("keyline_bench_foundation")

from common import measure  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402

from accounts.models import Client, User  # noqa: E402

started = time.perf_counter()
call_command("seed_demo", "--clients", str(options.clients), "--quiet")
print(f"seeded {Client.objects.count()} clients in {time.perf_counter() - started:.1f}s")

http = HttpClient()
http.force_login(User.objects.get(email="partner@keyline.example"))
rows = [
    measure(http, "/clients/", options.requests),
    measure(http, "/clients/?sort=-fees&tier=1", options.requests),
    measure(http, "/clients/?q=energy&page=3", options.requests),
    measure(http, "/clients/?page=2", options.requests, HTTP_HX_REQUEST="true"),
    measure(http, "/api/clients/", options.requests),
    measure(http, "/api/clients/?page_size=200&ordering=-created_at", options.requests),
]
print_table(f"Foundation at {Client.objects.count()} clients (targets: ≤ 12 queries, p95 ≤ 40 ms)", rows)
