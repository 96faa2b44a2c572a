"""OpenAPI post-processing: every operation documents the errors it can return, in the one
error shape (ErrorSerializer), so clients and schema-based fuzzers know what to expect."""

from __future__ import annotations

ERROR_REF = {"$ref": "#/components/schemas/Error"}

ERROR_SCHEMA = {
    "type": "object",
    "description": "The shape of every error the API returns.",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in a sentence."},
        "code": {"type": "string", "description": "A stable code for scripts."},
        "errors": {
            "type": "object",
            "description": 'Field errors: {"field": ["message", ...]}; empty when none.',
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail", "code", "errors"],
}

DESCRIPTIONS = {
    "400": "Invalid input (see `errors` for the fields).",
    "401": "Not signed in: send a session cookie or `Authorization: Token ...`.",
    "403": "Signed in, but not allowed to do this (the message says who may).",
    "404": "Not found.",
    "409": "Conflict: the claim changed since you loaded it, or it cannot do this from its state.",
    "413": "The request body is too large.",
    "415": "Unsupported media type: send JSON (or a form).",
    "429": "Too many requests: slow down (see Retry-After).",
    "503": "Not available on this server (or busy): try again later.",
}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            # A bad token is refused (401) even where no sign-in is needed.
            codes = {"400", "401", "403", "429"}
            if "{" in path:
                codes.add("404")
            if method != "get":
                codes |= {"413", "415", "503"}
                if path.startswith("/api/v1/claims/"):
                    codes.add("409")
            responses = operation.setdefault("responses", {})
            for code in sorted(codes):
                responses.setdefault(
                    code,
                    {
                        "description": DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                )
    return result
