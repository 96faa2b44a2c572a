"""Prepared statements for the few fixed statements every request runs (the session, the
signed-in user with their permissions, an API token).

Each of them is cheap to run and comparatively dear to plan (joins over the permission
tables: planning took several times as long as running them), so on PostgreSQL they are
prepared once per connection and then only executed. Where the settings turn prepared
statements off (DATABASE_PREPARED_STATEMENTS=0: a pooler in transaction mode that does not
keep them) or the database is not PostgreSQL, they run as ordinary statements.

Only statements whose parameters have a type PostgreSQL can tell from the statement itself
(compared with a column) belong here: a prepared statement binds its values on the server.
"""

from __future__ import annotations

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


class _PreparingCursor(psycopg.Cursor):
    """Binds on the server and prepares what it runs: planned once per connection."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class _LoggedCursor(CursorDebugWrapper):
    """Logs the statement with its values, as Django's own cursors are logged (psycopg keeps no
    text of a prepared statement's run to read back)."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return CursorWrapper.execute(self, sql, params)


def prepared_cursor(alias: str = DEFAULT_DB_ALIAS):
    """A cursor of the connection (Django's wrapper: its errors, its query log) that prepares
    its statement, where the connection allows prepared statements (settings,
    DATABASE_PREPARED_STATEMENTS); else Django's own cursor."""
    db = connections[alias]
    db.ensure_connection()
    if getattr(db.connection, "prepare_threshold", None) is None:  # off, or not psycopg
        return db.cursor()
    cursor = _PreparingCursor(db.connection)
    return _LoggedCursor(cursor, db) if db.queries_logged else db.make_cursor(cursor)


def missing_triggers(db, names) -> list[str]:
    """Which of the trigger `names` the database of connection `db` lacks (none on a vendor
    without triggers of ours)."""
    if db.vendor == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    elif db.vendor == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        return []
    with db.cursor() as cursor:
        cursor.execute(sql)
        present = {name for (name,) in cursor.fetchall()}
    return [name for name in names if name not in present]
