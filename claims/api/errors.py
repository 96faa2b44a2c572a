"""One JSON shape for every API error: {"detail": ..., "code": ..., "errors": {field: [...]}}.

Domain errors (claims.errors.WorkflowError) keep their sentence and map to their `http_status`;
DRF's own exceptions keep their status and code. Anything else is a bug and stays a 500.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from claims.errors import WorkflowError

DatabaseError = (OperationalError, InterfaceError)


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def too_large(size: int | None = None) -> RequestTooLarge:
    from django.conf import settings

    got = f" ({size:,} bytes)" if size else ""
    return RequestTooLarge(
        f"The request body is too large{got}; the limit is "
        f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes. Send a shorter article or split it."
    )


def flatten_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as {"field" or "field.0.sub": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in flatten_errors(value, name).items():
                out.setdefault(field, []).extend(messages)
    elif isinstance(errors, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in errors):
            out.setdefault(prefix or "non_field_errors", []).extend(str(e) for e in errors)
        else:
            for index, item in enumerate(errors):
                name = f"{prefix}.{index}" if prefix else str(index)
                for field, messages in flatten_errors(item, name).items():
                    out.setdefault(field, []).extend(messages)
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(errors))
    return out


def _validation_detail(errors: dict[str, list[str]]) -> str:
    messages = [(field, msg) for field, msgs in errors.items() for msg in msgs]
    if len(messages) == 1:
        field, message = messages[0]
        return message if field == "non_field_errors" else f"{field}: {message}"
    fields = ", ".join(f for f in errors if f != "non_field_errors")
    return f"Some fields are not valid: {fields}." if fields else " ".join(m for _, m in messages)


def error_body(detail: str, code: str, errors: dict[str, list[str]] | None = None) -> dict:
    return {"detail": detail, "code": code, "errors": errors or {}}


def _code_of(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, dict) and isinstance(detail.get("detail"), exceptions.ErrorDetail):
        return detail["detail"].code or exc.default_code
    if isinstance(detail, exceptions.ErrorDetail) and detail.code:
        return detail.code
    return exc.default_code


def api_exception_handler(exc, context):
    if isinstance(exc, DatabaseError):
        # PostgreSQL is down or restarting: a 503 in the error shape; the client tries again.
        return Response(
            error_body(
                "The database is unavailable at the moment; nothing was lost. "
                "Try again in a minute.",
                "service_unavailable",
            ),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "30"},
        )
    if isinstance(exc, WorkflowError):
        return Response(error_body(exc.message, exc.code), status=exc.http_status)
    if isinstance(exc, RequestDataTooBig):
        exc = too_large()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        response.data = error_body(_validation_detail(errors), "invalid", errors)
        return response
    if isinstance(exc, Http404):
        code, detail = "not_found", "Not found."
    elif isinstance(exc, DjangoPermissionDenied):
        code, detail = "permission_denied", "You do not have permission to do this."
    else:
        code = _code_of(exc)
        detail = exc.detail.get("detail") if isinstance(exc.detail, dict) else exc.detail
    response.data = error_body(str(detail), code)
    return response
