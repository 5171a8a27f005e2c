"""Keyline's settings as served by bench/bench_floor.py: the real ones, plus the query accounting
middleware (bench/querycount.py) in front when BENCH_QUERY_LOG is set."""

import os

from config.settings import *  # noqa: F403

if os.environ.get("BENCH_QUERY_LOG"):
    MIDDLEWARE = ["bench.querycount.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
