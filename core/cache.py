"""A Redis cache that degrades to "no cache" while Redis is unreachable, instead of failing pages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


def _forgiving(name: str, fallback: Any) -> Callable[..., Any]:
    def method(self: RedisCache, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(RedisCache, name)(self, *args, **kwargs)
        except Exception as exc:  # redis.exceptions.ConnectionError, TimeoutError, …
            logger.warning("Cache unavailable for %s (%s); carrying on without it.", name, exc)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    method.__name__ = name
    return method


class ForgivingRedisCache(RedisCache):
    get = _forgiving("get", lambda key, default=None, version=None: default)
    get_many = _forgiving("get_many", {})
    set = _forgiving("set", None)
    set_many = _forgiving("set_many", [])
    add = _forgiving("add", False)
    delete = _forgiving("delete", False)
    delete_many = _forgiving("delete_many", None)
    has_key = _forgiving("has_key", False)
    incr = _forgiving("incr", lambda key, delta=1, version=None: delta)
    touch = _forgiving("touch", False)
