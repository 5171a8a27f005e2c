"""`/healthz`: the load balancer's and the container's question "can this process serve?".

Answered before host validation, HTTPS redirect and login (a probe calls it by the container's own
address over plain HTTP), and it says nothing but "ok" or which dependency failed.
"""

from __future__ import annotations

from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponseBase, JsonResponse

PATH = "/healthz"


def dependency_problems() -> list[str]:
    """The dependencies this process cannot reach: the database, and Redis when one is configured."""
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any failure to reach it is the answer
        problems.append("database")
    if settings.REDIS_URL:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        except Exception:  # ditto
            problems.append("redis")
    return problems


class HealthzMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info != PATH or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        problems = dependency_problems()
        if problems:
            return JsonResponse({"status": "unavailable", "failing": problems}, status=503)
        return JsonResponse({"status": "ok"})
