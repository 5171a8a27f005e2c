"""Counting attempts per key in fixed windows, in the shared cache (Redis in production, so every web
process sees the same counts). While the cache is unreachable nothing is throttled rather than nobody
being let in: django-axes, which keeps its counts in the database, still limits each account per address."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    seconds: int

    def _key(self, who: str) -> str:
        # Hashed, so the cache holds no email addresses.
        return f"throttle:{self.name}:{hashlib.sha256(who.strip().lower().encode()).hexdigest()}"

    def exceeded(self, who: str) -> bool:
        return (cache.get(self._key(who)) or 0) >= self.attempts

    def count(self, who: str) -> int:
        """Count one attempt; the window starts with the first."""
        key = self._key(who)
        cache.add(key, 0, self.seconds)
        try:
            return cache.incr(key)
        except ValueError:  # the window ended between add and incr
            cache.set(key, 1, self.seconds)
            return 1

    def clear(self, who: str) -> None:
        cache.delete(self._key(who))


HOUR = 60 * 60
# Failed sign-ins to one account from any number of addresses: a slow lockout that limits guessing
# spread over many addresses. Failures per account *and* address are limited sooner by django-axes
# (AXES_FAILURE_LIMIT), so colleagues behind one office address never lock each other out.
LOGIN_FAILURES_PER_ACCOUNT = Limit("login-account", settings.LOGIN_FAILURES_PER_ACCOUNT, HOUR)
PASSWORD_RESETS_PER_EMAIL = Limit("reset-email", settings.PASSWORD_RESETS_PER_EMAIL, HOUR)
PASSWORD_RESETS_PER_ADDRESS = Limit("reset-address", settings.PASSWORD_RESETS_PER_ADDRESS, HOUR)
