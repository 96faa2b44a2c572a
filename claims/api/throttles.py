"""Scoped rate limits: login, token creation, ingestion and exports.

Counters live in the default cache, which is Redis when REDIS_URL is set (settings), so every web
process shares them. Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], read on each
request so that a settings change (or a test's override) applies without a restart.
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _ScopedThrottle(SimpleRateThrottle):
    scope = ""
    per_user = True

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

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
