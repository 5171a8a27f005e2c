"""Server-side SQL accounting for the floor benchmark (bench/bench_floor.py), in both the served
Keyline and the bare-Django floor.

Installed first in MIDDLEWARE by a benchmark settings override only when BENCH_QUERY_LOG names a
folder. A request that carries the header `X-Bench-Queries: <token>` has every SQL statement it
runs (session and user look-ups included) timed and written, with its parameters bound, to
`<BENCH_QUERY_LOG>/<token>.json`; any other request passes straight through.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from django.db import connections

TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.folder = Path(os.environ["BENCH_QUERY_LOG"])

    def __call__(self, request):
        token = request.headers.get("X-Bench-Queries", "")
        if not TOKEN.match(token):
            return self.get_response(request)
        statements: list[dict] = []

        def record(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                elapsed = (time.perf_counter() - started) * 1000
                try:
                    bound = sql if many or params is None else context["connection"].ops.compose_sql(sql, params)
                except Exception:  # an unbindable statement is still counted
                    bound = sql
                statements.append({"sql": bound, "ms": elapsed, "many": bool(many)})

        wrappers = [connection.execute_wrapper(record) for connection in connections.all()]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        (self.folder / f"{token}.json").write_text(json.dumps(statements))
        return response
