"""The two databases' paths, for tests that count queries or run one database's SQL.

On PostgreSQL (production, CI) several reads of a page or a request are one statement
(JSON aggregates, arrays, prepared statements); on the embedded default (SQLite, `make run`)
the same page comes from the portable path, a few ORM reads. Each path has its own fixed
number of queries, and neither may grow with rows or page size: the tests hold both.
"""

import pytest
from django.db import connection


def queries(*, postgresql: int, sqlite: int) -> int:
    """The query count of a path on the database the tests run on."""
    return postgresql if connection.vendor == "postgresql" else sqlite


def postgresql_only(why: str):
    """A mark for a test of SQL only PostgreSQL runs; the skip and its reason show in the
    report (`-ra`), never silently."""
    return pytest.mark.skipif(connection.vendor != "postgresql", reason=why)


def prepared_statements() -> list[str]:
    """The statements this connection has prepared on PostgreSQL (pg_prepared_statements)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]
