"""A Redis cache that fails open: with Redis down, reads miss and writes are dropped.

What the cache holds here (API throttle counters, computed fragments) may be lost; a request
must not fail because of it. Each failure is logged at most once a minute per process.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
_last_warning = 0.0


def _warn(exc: Exception) -> None:
    global _last_warning
    if time.monotonic() - _last_warning > 60:
        _last_warning = time.monotonic()
        logger.warning("cache unavailable, failing open: %s", exc)


def _fail_open(method, default=None):
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # redis.ConnectionError, TimeoutError, ...
            from redis.exceptions import RedisError

            if not isinstance(exc, RedisError | OSError):
                raise
            _warn(exc)
            return default() if callable(default) else default

    wrapper.__name__ = method.__name__
    return wrapper


class FailOpenRedisCache(RedisCache):
    get_many = _fail_open(RedisCache.get_many, dict)
    set = _fail_open(RedisCache.set)
    set_many = _fail_open(RedisCache.set_many, list)
    add = _fail_open(RedisCache.add, False)
    touch = _fail_open(RedisCache.touch, False)
    delete = _fail_open(RedisCache.delete, False)
    delete_many = _fail_open(RedisCache.delete_many)
    has_key = _fail_open(RedisCache.has_key, False)
    incr = _fail_open(RedisCache.incr, 0)
    clear = _fail_open(RedisCache.clear, False)

    def get(self, key, default=None, version=None):  # noqa: F811  (the default is the caller's)
        try:
            return super().get(key, default, version)
        except Exception as exc:
            from redis.exceptions import RedisError

            if not isinstance(exc, RedisError | OSError):
                raise
            _warn(exc)
            return default
