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


# --- The rules the API enforces, stated in the schema ------------------------------------------
# Each entry is a rule the views or inputs check; Schemathesis (tests/api/test_schema.py) sends
# data the schema calls valid and expects it accepted, and data it calls invalid and expects 400.

IF_MATCH_PATTERN = r'^\s*(?:\*|(?:W/)?"?\d{1,10}"?)?\s*$'  # claims/api/views/claims.py _ETAG

# Rules across fields of one body, by component (JSON Schema, which OpenAPI 3.0 allows).
_ONE_VERSION = {"not": {"required": ["version", "expected_version"]}}
COMPONENT_RULES: dict[str, dict] = {
    "ArticleCreateInputRequest": {
        "anyOf": [{"required": ["text"]}, {"required": ["html"]}, {"required": ["url"]}],
        "not": {"required": ["text", "html"]},
    },
}
_ONE_PERSON = {"oneOf": [{"required": ["assignee"]}, {"required": ["assignee_username"]}]}

CURSOR_DESCRIPTION = (
    "The page to read: copy it from a `next` or `previous` link (an opaque token; a made-up one "
    "is refused with 400). Empty or absent: the first page."
)


def _query_rules(parameter: dict) -> None:
    name, schema = parameter["name"], parameter.get("schema", {})
    if name == "cursor":
        schema["format"] = "cursor"
        parameter["description"] = CURSOR_DESCRIPTION
    elif name == "page_size":
        schema.update({"type": "integer", "minimum": 1, "maximum": 200})
    elif name in {"claim", "article"} and schema.get("type") == "number":
        schema.update({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
    elif name in {"rating", "topic"} and schema.get("type") == "array":
        schema["items"] = {"type": "string", "format": f"{name}-slug"}
        parameter["description"] = (
            f"A {name}'s slug (see /api/v1/{'ratings' if name == 'rating' else 'claims'}/); "
            "repeat for several. An unknown slug is refused with 400."
        )
    elif schema.get("type") == "string" and "enum" in schema and "" not in schema["enum"]:
        # A single-choice filter left empty means "no filter" (django-filter).
        schema["enum"] = [*schema["enum"], ""]
    elif schema.get("type") == "string" and "pattern" not in schema and "format" not in schema:
        schema["pattern"] = NO_NUL  # forms refuse NUL characters


def state_the_rules(result, generator, request, public):
    """Postprocessing hook: add what the serializers and filters cannot say by themselves."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, component in schemas.items():
        if not name.endswith("Request") or component.get("type") != "object":
            continue
        properties = component.get("properties", {})
        rules: list[dict] = []
        if {"version", "expected_version"} <= set(properties):
            rules.append(_ONE_VERSION)
        if {"assignee", "assignee_username"} <= set(properties):
            rules.append(_ONE_PERSON)
        if name in COMPONENT_RULES:
            rules.append(COMPONENT_RULES[name])
        if len(rules) == 1:
            component.update(rules[0])
        elif rules:
            component["allOf"] = [*component.get("allOf", []), *rules]
    for _path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    _query_rules(parameter)
                elif parameter.get("in") == "header" and parameter["name"] == "If-Match":
                    parameter["schema"] = {"type": "string", "pattern": IF_MATCH_PATTERN}
            body = operation.get("requestBody")
            if body and "application/json" in body.get("content", {}):
                # JSON is the API's body format; forms are still read but not promised here.
                body["content"] = {"application/json": body["content"]["application/json"]}
                ref = body["content"]["application/json"].get("schema", {}).get("$ref", "")
                component = schemas.get(ref.rsplit("/", 1)[-1], {})
                if component.get("required") or "anyOf" in component or "oneOf" in component:
                    body["required"] = True
    _export_filters(result)
    for name, component in schemas.items():
        if name.endswith("Request"):
            _no_nul(component)
            if component.get("type") == "object" and "properties" in component:
                # Only the fields named here are read; send no others.
                component.setdefault("additionalProperties", False)
        else:
            _empty_or_uri(component)
    return result


# The JSON parser and the query filters refuse U+0000 anywhere (claims/api/parsers.py).
NO_NUL = "^[^\\u0000]*$"


def _no_nul(schema: dict) -> None:
    if not isinstance(schema, dict):
        return
    if (
        schema.get("type") == "string"
        and "pattern" not in schema
        and "enum" not in schema
        and schema.get("format") not in {"date", "date-time", "uri", "email", "uuid", "cursor"}
    ):
        schema["pattern"] = NO_NUL
    for child in schema.get("properties", {}).values():
        _no_nul(child)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _no_nul(schema[key])
    for key in ("anyOf", "oneOf", "allOf"):
        for child in schema.get(key, []):
            _no_nul(child)


def _empty_or_uri(component: dict) -> None:
    """Read-only addresses the server has not filled yet (an evidence link not yet checked or
    archived) are empty strings: say so, rather than promise a URI."""
    for name, prop in component.get("properties", {}).items():
        if prop.get("format") == "uri" and prop.get("readOnly"):
            component["properties"][name] = {
                **{key: value for key, value in prop.items() if key != "format"},
                "anyOf": [{"format": "uri"}, {"maxLength": 0}],
            }


def _export_filters(result) -> None:
    """An export's `filters` are the claims list's query filters, as JSON values."""
    export = result.get("components", {}).get("schemas", {}).get("ExportInputRequest")
    claims_list = result.get("paths", {}).get("/api/v1/claims/", {}).get("get")
    if not export or not claims_list:
        return
    properties = {}
    for parameter in claims_list.get("parameters", []):
        if parameter.get("in") != "query" or parameter["name"] in {"cursor", "page_size"}:
            continue
        schema = dict(parameter["schema"])
        if schema.get("type") == "array":  # a list (one value alone is read too)
            properties[parameter["name"]] = schema
        else:  # one value, or a list of which the last counts
            properties[parameter["name"]] = {"anyOf": [schema, {"type": "array", "items": schema}]}
    export["properties"]["filters"] = {
        **{k: v for k, v in export["properties"]["filters"].items() if k != "additionalProperties"},
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
