"""Request body parsers with a size limit (DATA_UPLOAD_MAX_MEMORY_SIZE), answered with a 413,
and bounds on what the body holds, answered with a 400 in the API's error shape: JSON nested more
than claims.safe_json.MAX_DEPTH levels, and a NUL character (U+0000) in any string or form field
(PostgreSQL cannot store it). Every endpoint parses with these (settings: DEFAULT_PARSER_CLASSES).

DRF reads the body from the raw stream, so Django's own limit does not apply to JSON bodies.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from claims import safe_json

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
        try:
            return safe_json.loads(data)
        except safe_json.UnsafeJSON as error:
            raise ParseError(error.message, code=error.code) from None


def _refuse_nul(fields) -> None:
    for name, values in fields.lists():
        if "\x00" in name or any("\x00" in value for value in values if isinstance(value, str)):
            raise ParseError(
                f"The field {name.replace(chr(0), '')!r} contains a NUL character (\\u0000), "
                "which cannot be stored; remove it.",
                code="nul_character",
            )


class LimitedFormParser(FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        _check_declared_length(parser_context)
        data = super().parse(stream, media_type, parser_context)
        _refuse_nul(data)
        return data


class LimitedMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        _check_declared_length(parser_context)
        parsed = super().parse(stream, media_type, parser_context)
        _refuse_nul(parsed.data)
        return parsed
