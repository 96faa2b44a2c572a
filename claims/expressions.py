"""Query expressions that work on both databases the project runs on (PostgreSQL in
production and CI, SQLite as the embedded default of `make run`)."""

from __future__ import annotations

import json

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, QuerySet

ITEM = "list_item"  # the subquery's one column, as as_sqlite names it


class ListSubquery(ArraySubquery):
    """One column of `queryset`, in the queryset's order, as a Python list per outer row:
    `ARRAY(SELECT …)` on PostgreSQL, `json_group_array` over the same subquery on SQLite (which
    has no arrays; Django's ArraySubquery there is a syntax error)."""

    def __init__(self, queryset: QuerySet, field: str, **kwargs):
        super().__init__(queryset.annotate(**{ITEM: F(field)}).values(ITEM), **kwargs)

    def as_sqlite(self, compiler, connection, **extra_context):
        template = '(SELECT json_group_array("list_item") FROM (%(subquery)s))'
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def get_db_converters(self, connection):
        if connection.vendor == "sqlite":
            return [_json_list]
        return super().get_db_converters(connection)


def _json_list(value, expression, connection):
    return [] if value is None else json.loads(value)
