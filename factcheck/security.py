"""Security plumbing that every door shares: the client's real address, login lockouts, and the
response headers that `check --deploy` does not cover.

- `client_address`: the address a request came from. `X-Forwarded-For` is trusted only as far as
  settings.TRUSTED_PROXY_COUNT proxies vouch for it (default 0: the header is ignored), so a
  client cannot pick a new identity per request. The API throttles (claims/api/throttles.py) and
  the login lockouts (django-axes) both use it.
- `LoginLockoutBackend` and `lockout_response`: django-axes counts failed sign-ins in the database
  (not the cache, so a Redis outage neither unlocks nor breaks sign-in) per account and per
  address, on every form that authenticates with a request: the dashboard, the admin, the API's
  session login and token. A locked sign-in gets a 429 that says when to try again.
- `PermissionsPolicyMiddleware`: Permissions-Policy on every response. The Content-Security-Policy
  itself comes from django-csp (settings.CONTENT_SECURITY_POLICY), with a per-request nonce.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or with N trusted proxies in front of us the address
    the outermost of them saw (X-Forwarded-For, counted from the right). Entries to the left of
    that are whatever the client wrote and are never used."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:  # not through the proxies we were told about
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS.

    Sign-ins without a request (manage.py shell, the test client's login()) have no address to
    count and are let through to the next backend; every web form passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _retry_after(request: HttpRequest) -> tuple[int, str]:
    cool_off = get_cool_off(request) or timedelta(minutes=15)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60))
    at = timezone.localtime(timezone.now() + cool_off)
    return int(cool_off.total_seconds()), (
        f"Too many failed sign-ins for this account or from this address. Try again in "
        f"{minutes} minute{'s' if minutes != 1 else ''} (after {at:%H:%M} {at.tzname()})."
    )


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """What a locked-out sign-in gets: 429, the same sentence everywhere, Retry-After."""
    seconds, message = _retry_after(request)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": message, "code": "locked_out", "errors": {}}, status=429
        )
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"message": message, "admin": request.path.startswith("/admin/")},
            status=429,
        )
    response["Retry-After"] = str(seconds)
    return response


# --- Response headers -----------------------------------------------------------------------

# Features no page of ours uses: refused for our pages and anything they might embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
        "interest-cohort",
    )
)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
