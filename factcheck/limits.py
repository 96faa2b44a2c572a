"""Request bodies over REQUEST_MAX_BYTES are refused with 413 before anything reads them.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE counts only form fields held in memory, and an uploaded
file is streamed to disk whatever its size; this cap bounds both, on every path. The API gets its
error shape, the dashboard a page that says what to do.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return 0


def too_large_message(size: int) -> str:
    limit = settings.REQUEST_MAX_BYTES
    return (
        f"The request is too large ({size:,} bytes; the limit is {limit:,} bytes). An article "
        f"may have at most {settings.ARTICLE_MAX_CHARS:,} characters and "
        f"{settings.ARTICLE_MAX_SENTENCES:,} sentences, and a file at most "
        f"{settings.ARTICLE_MAX_BYTES // (1024 * 1024)} MB: split it into parts."
    )


def _refuse(request, message: str):
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": message, "code": "request_too_large", "errors": {}}, status=413
        )
    else:
        response = render(request, "limits/too_large.html", {"reason": message}, status=413)
    # The body was not read: the connection cannot carry another request.
    response["Connection"] = "close"
    return response


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        size = _declared_length(request)
        if size > settings.REQUEST_MAX_BYTES:
            return _refuse(request, too_large_message(size))
        return self.get_response(request)

    def process_exception(self, request, exception):
        """A page's form fields over DATA_UPLOAD_MAX_MEMORY_SIZE: the same page, not a bare 400."""
        if isinstance(exception, RequestDataTooBig):
            return _refuse(
                request,
                f"The form is too large (its fields may hold at most "
                f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes). An article may have at most "
                f"{settings.ARTICLE_MAX_CHARS:,} characters and "
                f"{settings.ARTICLE_MAX_SENTENCES:,} sentences: split it into parts.",
            )
        return None
