"""Read replicas (docs/scaling.md): which database a read goes to.

Only code that says so reads from a replica: a view, task or block wrapped in `reading_from_replica()`
(dashboards, overview, exports, PDF rendering, the recompute-all job). Everything else, and every
write, uses the primary ("default"). Inside such a block a replica is used unless:

- the person has written something: during a request with an unsafe method, after anything the request
  itself wrote, and for REPLICA_PIN_SECONDS after (a per-person cache key, so it holds across their
  browser tabs, devices, API tokens and the jobs they asked for; and a signed cookie, so it holds in
  that browser even while the cache is unreachable);
- the replica is further behind than REPLICA_MAX_LAG_SECONDS (checked at most every
  REPLICA_LAG_CHECK_SECONDS);
- the replica cannot be reached: then it is left alone for REPLICA_RETRY_SECONDS (a circuit breaker,
  so that requests do not each wait for a connection timeout).

Without DATABASE_REPLICA_URL there is no replica alias and every query goes to the primary.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest
from django.http.response import HttpResponseBase

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
PIN_COOKIE = "keyline_primary"
# Bookkeeping written on ordinary page views: it does not make the person's next pages read the primary.
NOT_A_USER_WRITE = frozenset({"sessions.session", "identity.usersession", "audit.auditentry"})

# How far behind a replica is, in seconds: nothing to replay is 0 however long ago the last write was.
LAG_SQL = """
SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END,
       pg_is_in_recovery()
"""


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def pin_key(user_id: int) -> str:
    return f"replica-pin:{user_id}"


def user_pin(user_id: int) -> None:
    """Read this person's data from the primary for the next REPLICA_PIN_SECONDS."""
    cache.set(pin_key(user_id), 1, settings.REPLICA_PIN_SECONDS)


def user_is_pinned(user_id: int) -> bool:
    return bool(cache.get(pin_key(user_id)))


# --- State -------------------------------------------------------------------------------------------


@dataclass
class RequestState:
    user_id: Callable[[], int | None]
    wrote: bool = False  # an unsafe method, or a row saved: the primary for the rest of the request
    pinned_by_cookie: bool = False


@dataclass
class ReplicaHealth:
    """Per process: when each replica may next be tried, and its last measured lag."""

    down_until: dict[str, float] = field(default_factory=dict)
    lag_checked_at: dict[str, float] = field(default_factory=dict)
    lag_seconds: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.down_until.clear()
            self.lag_checked_at.clear()
            self.lag_seconds.clear()


health = ReplicaHealth()
_request: ContextVar[RequestState | None] = ContextVar("replica_request", default=None)
_reading_from: ContextVar[str | None] = ContextVar("replica_reading_from", default=None)


def _trip(alias: str, exc: Exception) -> None:
    retry = settings.REPLICA_RETRY_SECONDS
    logger.warning("Replica %s unreachable (%s); reading from the primary for %ss.", alias, exc, retry)
    with health.lock:
        health.down_until[alias] = time.monotonic() + retry
        health.lag_checked_at.pop(alias, None)
    with suppress(DatabaseError):
        connections[alias].close()


def _usable(alias: str) -> bool:
    """Reachable and not too far behind: cheap between lag checks (one health check per request)."""
    now = time.monotonic()
    if health.down_until.get(alias, 0) > now:
        return False
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        if now - health.lag_checked_at.get(alias, -1e9) >= settings.REPLICA_LAG_CHECK_SECONDS:
            with connection.cursor() as cursor:
                cursor.execute(LAG_SQL)
                lag, in_recovery = cursor.fetchone()
            with health.lock:
                health.lag_seconds[alias] = float(lag) if in_recovery else float("inf")
                health.lag_checked_at[alias] = now
                health.down_until.pop(alias, None)
    except DatabaseError as exc:
        _trip(alias, exc)
        return False
    lag_seconds = health.lag_seconds.get(alias, 0.0)
    if lag_seconds > settings.REPLICA_MAX_LAG_SECONDS:
        logger.info("Replica %s is %.1fs behind; reading from the primary.", alias, lag_seconds)
        return False
    return True


def _pinned(user_id: int | None) -> bool:
    state = _request.get()
    if state is not None:
        if state.wrote or state.pinned_by_cookie:
            return True
        user_id = user_id if user_id is not None else state.user_id()
    return user_id is not None and user_is_pinned(user_id)


def choose_replica(*, user_id: int | None = None) -> str | None:
    """The replica this block reads from, or None for the primary."""
    aliases = replica_aliases()
    if not aliases or _pinned(user_id):
        return None
    for alias in random.sample(aliases, len(aliases)):
        if _usable(alias):
            return alias
    return None


class reading_from_replica:
    """Reads inside go to a replica when one is usable (see the module's docstring). Outside a request,
    `user_id` names the person the work is for (the requester of a report), whose recent writes then
    keep it on the primary.

    Also a decorator (`@reading_from_replica()`, for views and tasks): a replica that fails during the
    call (it went away, or cancelled a query that conflicted with its replay) makes the call run once
    more, on the primary, so that a page is not an error because a replica was."""

    def __init__(self, *, user_id: int | None = None) -> None:
        self.user_id = user_id
        self._tokens: list[Token[str | None]] = []

    def __enter__(self) -> str | None:
        alias = choose_replica(user_id=self.user_id)
        self._tokens.append(_reading_from.set(alias))
        return alias

    def __exit__(self, *exc_info: object) -> None:
        _reading_from.reset(self._tokens.pop())

    def __call__[**P, R](self, function: Callable[P, R]) -> Callable[P, R]:
        user_id = self.user_id

        @wraps(function)
        def reading(*args: P.args, **kwargs: P.kwargs) -> R:
            with reading_from_replica(user_id=user_id) as alias:
                try:
                    return function(*args, **kwargs)
                except (OperationalError, InterfaceError) as exc:
                    if alias is None:
                        raise
                    if not _reachable(alias):
                        _trip(alias, exc)
                    logger.warning("Reading from replica %s failed (%s); running again on the primary.", alias, exc)
            token = _reading_from.set(None)  # the primary, even inside an outer block
            try:
                return function(*args, **kwargs)
            finally:
                _reading_from.reset(token)

        return reading


def _reachable(alias: str) -> bool:
    connection = connections[alias]
    try:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def streamed_from_replica[T](rows: Iterable[T]) -> Iterator[T]:
    """Rows of a streamed response, which are read after its view has returned: from the replica
    chosen now (in the view, where the request's writes and the person's window are known)."""
    alias = choose_replica()

    def stream() -> Iterator[T]:
        iterator = iter(rows)
        while True:
            token = _reading_from.set(alias)
            try:
                row = next(iterator)
            except StopIteration:
                return
            finally:
                _reading_from.reset(token)
            yield row

    return stream()


# --- Router --------------------------------------------------------------------------------------


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str:
        alias = _reading_from.get()
        if alias is None:
            return DEFAULT_DB_ALIAS
        state = _request.get()
        return DEFAULT_DB_ALIAS if state is not None and state.wrote else alias

    def db_for_write(self, model: type, **hints: Any) -> str:
        state = _request.get()
        if state is not None and model._meta.label_lower not in NOT_A_USER_WRITE:  # type: ignore[attr-defined]
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # every alias holds the same data

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


# --- Middleware ---------------------------------------------------------------------------------------


class ReplicaPinMiddleware:
    """Marks the request (unsafe method: the primary throughout) and, once a person has written, keeps
    them on the primary for REPLICA_PIN_SECONDS. After AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not replica_aliases():
            return self.get_response(request)

        def user_id() -> int | None:
            user = getattr(request, "user", None)
            return user.pk if user is not None and user.is_authenticated else None

        seconds = settings.REPLICA_PIN_SECONDS
        state = RequestState(
            user_id=user_id,
            wrote=request.method not in SAFE_METHODS,
            pinned_by_cookie=bool(request.get_signed_cookie(PIN_COOKIE, "", salt=PIN_COOKIE, max_age=seconds)),
        )
        token = _request.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if state.wrote:
            if (pk := user_id()) is not None:
                user_pin(pk)
            # The same window in the browser itself: it holds even while the shared cache is unreachable.
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_COOKIE,
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
