"""Request body parsers with a size limit (DATA_UPLOAD_MAX_MEMORY_SIZE), answered with a 413.

DRF reads the body from the raw stream, so Django's own limit does not apply to JSON bodies.
"""

from __future__ import annotations

import io

from django.conf import settings
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from .errors import too_large


def max_body_bytes() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def _check_declared_length(parser_context) -> None:
    request = (parser_context or {}).get("request")
    if request is None:
        return
    meta = request.META
    try:
        declared = int(meta.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        declared = 0
    if declared > max_body_bytes():
        raise too_large(declared)


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        _check_declared_length(parser_context)
        limit = max_body_bytes()
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise too_large()
        return super().parse(io.BytesIO(data), media_type, parser_context)


class LimitedFormParser(FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        _check_declared_length(parser_context)
        return super().parse(stream, media_type, parser_context)


class LimitedMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        _check_declared_length(parser_context)
        return super().parse(stream, media_type, parser_context)
