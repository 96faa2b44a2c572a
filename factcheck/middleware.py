"""While PostgreSQL is down the site answers 503, quickly, and recovers by itself.

A database error in a view (or in the middleware and templates around it) becomes a 503: the
API's error shape under /api/, a styled page elsewhere, with Retry-After. The connection is
re-opened on a later request (CONN_HEALTH_CHECKS), so nothing needs restarting. The connect
timeout (settings, DATABASE_CONNECT_TIMEOUT) keeps a request from hanging while it is down.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER = "30"
MESSAGE = "The database is unavailable at the moment; nothing was lost. Try again in a minute."


def unavailable(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        from claims.api.errors import error_body

        response = JsonResponse(error_body(MESSAGE, "service_unavailable"), status=503)
    else:
        # Rendered without the request: the context processors would query the database.
        html = loader.get_template("503.html").render({"message": MESSAGE})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = RETRY_AFTER
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.warning(
                "database unavailable: %s %s: %s", request.method, request.path, exception
            )
            return unavailable(request)
        return None


def server_error(request, *args, **kwargs):
    """handler500: a database error outside a view (a middleware, a template) is a 503 too."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return unavailable(request)
    return defaults.server_error(request, *args, **kwargs)
