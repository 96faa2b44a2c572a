"""JSON from outside, parsed with bounds: nesting depth and NUL characters.

Python's json module recurses once per nesting level, so 100,000 '[' raise RecursionError (a 500
wherever nobody catches it), and PostgreSQL refuses U+0000 in text and jsonb, so a NUL anywhere
fails at the INSERT, after part of the work is done. Both are refused here, before anything is
written, with a sentence that says what is wrong. Used by the API's JSON parser and the
ClaimReview importer (upload and command).
"""

from __future__ import annotations

import json
from typing import Any

# Deeper than any document we read (ClaimReview nests about 6 levels, the API 3).
MAX_DEPTH = 64


class UnsafeJSON(ValueError):
    """The text is not JSON we accept; `message` says why, `code` names the rule."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def _path(trail) -> str:
    parts = []
    while trail:
        trail, key = trail
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return "".join(reversed(parts)).lstrip(".") or "the top level"


def _nul(trail, what: str = "The text") -> UnsafeJSON:
    return UnsafeJSON(
        f"{what} at {_path(trail)} contains a NUL character (\\u0000), which cannot be "
        "stored; remove it.",
        "nul_character",
    )


def check_value(value: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Refuse a parsed value nested deeper than max_depth or holding a NUL in any string (keys
    too). Iterative: a deep value cannot exhaust the stack here."""
    stack: list[tuple[Any, int, tuple | None]] = [(value, 1, None)]
    while stack:
        node, depth, trail = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                raise _nul(trail)
        elif isinstance(node, dict | list):
            if depth > max_depth:
                raise UnsafeJSON(
                    f"The JSON is nested more than {max_depth} levels deep; send a flatter "
                    "document.",
                    "too_deep",
                )
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, item in items:
                if isinstance(key, str) and "\x00" in key:
                    raise _nul(trail, "A key")
                if isinstance(item, str | dict | list):
                    stack.append((item, depth + 1, (trail, key)))


def _refuse_constant(name: str):
    raise UnsafeJSON(f"{name} is not a JSON number; send a number or null.", "parse_error")


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """json.loads with the bounds above. Raises UnsafeJSON (a ValueError) with a sentence."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UnsafeJSON(
                "The body is not UTF-8 text: JSON must be UTF-8.", "parse_error"
            ) from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:  # json recurses per level: far too deep (checked again below)
        raise UnsafeJSON(
            f"The JSON is nested more than {max_depth} levels deep; send a flatter document.",
            "too_deep",
        ) from None
    except json.JSONDecodeError as error:
        raise UnsafeJSON(
            f"The body is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}).",
            "parse_error",
        ) from None
    check_value(value, max_depth=max_depth)
    return value
