"""Pagination. Claims use keyset (cursor) pagination: a page deep in 100,000 claims costs what
the first page costs, and rows filed meanwhile never shift a page. Small lists use DRF's cursor.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections import OrderedDict
from datetime import UTC, datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
# What a cursor a client garbled raises while it is read.
_BAD_CURSOR = (
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    binascii.Error,
    DjangoValidationError,
)


def _positive_int(value, default: int, maximum: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(1, min(number, maximum))


class StandardCursorPagination(CursorPagination):
    """Newest first, by id (unique, so a cursor never skips or repeats a row)."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:  # DRF says 404; a cursor the client garbled is bad input
            raise ValidationError(
                {"cursor": ["This cursor is not valid; start again from the first page."]}
            ) from None


class ClaimCursorPagination(BasePagination):
    """Keyset pagination over (sort key, id) for the orderings ClaimFilter offers.

    The first `ordering` term decides the order (the id breaks ties); nullable keys are sorted
    through a non-null stand-in so that comparisons stay exact.
    """

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    ordering_query_param = "ordering"
    default_ordering = "-created"

    # The API name of each sort and its expression: the same names as ClaimFilter's ordering
    # (a test keeps them in step).
    SORT_KEYS: dict[str, tuple] = {
        "created": (F("created_at"), models.DateTimeField()),
        "due": (Coalesce("due_at", Value(FAR_FUTURE)), models.DateTimeField()),
        "score": (F("score"), models.FloatField()),
        "priority": (F("priority"), models.CharField()),
        "state": (F("state"), models.CharField()),
        "id": (F("id"), models.BigIntegerField()),
    }

    # --- request parsing -------------------------------------------------------------------

    def _ordering(self, request) -> tuple[str, bool]:
        raw = (request.query_params.get(self.ordering_query_param) or "").split(",")[0].strip()
        raw = raw or self.default_ordering
        descending = raw.startswith("-")
        name = raw.lstrip("-")
        if name not in self.SORT_KEYS:
            name, descending = self.default_ordering.lstrip("-"), True
        return name, descending

    def _decode_cursor(self, request, field) -> tuple[object, int, bool] | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if not encoded:
            return None
        try:
            return self._read_cursor(encoded, field)
        except _BAD_CURSOR as exc:
            raise ValidationError(
                {"cursor": ["This cursor is not valid; start again from the first page."]}
            ) from exc

    def decode_plain_cursor(self, encoded: str, field) -> tuple[object, int, bool] | None:
        """The cursor as the page query uses it unchanged; None when it is not valid, or holds
        a value the query would first convert (a time without its offset) or leave out (a
        number past 64 bits)."""
        try:
            value, pk, backwards = self._read_cursor(encoded, field)
        except _BAD_CURSOR:
            return None
        if isinstance(value, datetime) and value.utcoffset() is None:
            return None
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            return None  # past any id: the query would drop the condition, not compare
        return value, pk, backwards

    @staticmethod
    def _read_cursor(encoded: str, field) -> tuple[object, int, bool]:
        padded = encoded + "=" * (-len(encoded) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
        value = field.to_python(data["v"])
        pk = int(data["id"])
        backwards = bool(data.get("b", False))
        if value is None or not 0 < pk < 2**63:
            raise ValueError("out of range")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("not a number")
        return value, pk, backwards

    def _encode_cursor(self, value, pk: int, backwards: bool) -> str:
        if isinstance(value, datetime):
            value = value.isoformat()
        raw = json.dumps({"v": value, "id": pk, "b": backwards}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")

    # --- paging ----------------------------------------------------------------------------

    def paginate_queryset(self, queryset, request, view=None, rows_of=None):
        """The page's rows. With `rows_of`, `rows_of(page, sort_key, order)` reads them: `page`
        (filters, order, limit: the index walk) chooses the ids, and the rows are read for just
        those ids, in the same query: joins run for one page of rows, not for every row the
        index walk passes. Each row has the sort key as `_sort_key`."""
        self.request = request
        self.page_size = _positive_int(
            request.query_params.get(self.page_size_query_param),
            self.page_size,
            self.max_page_size,
        )
        name, descending = self._ordering(request)
        cursor = self._decode_cursor(request, self.SORT_KEYS[name][1])
        page, expression, order = self.page_of(queryset, name, descending, cursor, self.page_size)
        rows = rows_of(page, expression, order) if rows_of is not None else list(page)
        return self.keep(rows, cursor)

    @classmethod
    def page_of(cls, queryset, name: str, descending: bool, cursor, page_size: int):
        """The page (one more row than `page_size`, to tell whether another follows) of
        `queryset` in the order `name` from `cursor` (value, id, backwards; None for the first
        page), with the sort key's expression and the order of its rows."""
        expression, _ = cls.SORT_KEYS[name]
        backwards = bool(cursor and cursor[2])
        # Walking backwards reads the rows before the cursor in the reverse order.
        reverse = descending != backwards
        order = ("-_sort_key" if reverse else "_sort_key", "-pk" if reverse else "pk")
        queryset = queryset.annotate(_sort_key=expression).order_by(*order)
        if cursor:
            value, pk, _ = cursor
            op = "lt" if reverse else "gt"
            # (key, id) past the cursor's. The first condition says the same of the key alone:
            # it is what an index on the key can seek to, so a deep page starts where it
            # begins instead of reading every row before it.
            queryset = queryset.filter(
                Q(**{f"_sort_key__{op}e": value}),
                Q(**{f"_sort_key__{op}": value}) | Q(_sort_key=value, **{f"pk__{op}": pk}),
            )
        return queryset[: page_size + 1], expression, order

    def keep(self, rows: list, cursor) -> list:
        """The page's rows of the `page_size + 1` read (page_of), in the list's order; sets
        what the links say."""
        backwards = bool(cursor and cursor[2])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
        self.has_next = more if not backwards else True
        self.has_previous = bool(cursor) if not backwards else more
        self.rows = rows
        return rows

    def _link(self, row, backwards: bool) -> str:
        url = self.request.build_absolute_uri()
        if isinstance(row, dict):  # a values() page (the claims list)
            cursor = self._encode_cursor(row["_sort_key"], row["id"], backwards)
        else:
            cursor = self._encode_cursor(row._sort_key, row.pk, backwards)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_next_link(self):
        if not self.rows or not self.has_next:
            return None
        return self._link(self.rows[-1], backwards=False)

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if not self.rows:
            return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        return self._link(self.rows[0], backwards=True)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict(
                [
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema):
        return CursorPagination().get_paginated_response_schema(schema)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The page to read: the `next` or `previous` link gives it.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (1 to {self.max_page_size}; default 50).",
                "schema": {"type": "integer"},
            },
        ]
