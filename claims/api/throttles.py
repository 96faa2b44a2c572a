"""Scoped rate limits: login, token creation, ingestion and exports.

Counters live in the default cache, which is Redis when REDIS_URL is set (settings), so every web
process shares them. Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], read on each
request so that a settings change (or a test's override) applies without a restart.

Anonymous callers are counted by their real address (factcheck.security.client_address):
X-Forwarded-For counts only as far as TRUSTED_PROXY_COUNT proxies vouch for it, so a new header
value per request is still the same caller.

When the cache cannot be reached these rate limits let requests through (and log it): password
guessing stays bounded by the sign-in lockouts, which django-axes keeps in the database.
"""

from __future__ import annotations

import logging

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from factcheck.security import client_address

logger = logging.getLogger(__name__)


def _cache_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [ConnectionError, TimeoutError, OSError]
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis is a requirement
        pass
    else:
        errors.append(RedisError)
    return tuple(errors)


class _ScopedThrottle(SimpleRateThrottle):
    scope = ""
    per_user = True

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_address(request) or "unknown"

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except _cache_errors() as error:
            logger.warning(
                "Rate limit %s not applied: the cache is unreachable (%s)", self.scope, error
            )
            return True

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if self.per_user and user is not None and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginThrottle(_ScopedThrottle):
    """Password guesses: counted per client address, whoever they claim to be."""

    scope = "login"
    per_user = False


class TokenThrottle(_ScopedThrottle):
    scope = "token"


class IngestionThrottle(_ScopedThrottle):
    scope = "ingestion"


class ExportThrottle(_ScopedThrottle):
    scope = "exports"
