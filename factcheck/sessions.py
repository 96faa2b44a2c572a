"""SESSION_ENGINE: Django's database sessions, read with one plain statement.

Every signed-in page reads its session first. Django's store reads it through the ORM
(`Session.objects.get(...)`), whose query building costs several times the statement itself;
this store runs the same statement (the same table, key and expiry test, the same decoding and
the same answer for a missing or expired session) written out once, prepared on PostgreSQL
(factcheck/db.py). Writing, rotating and
deleting sessions are Django's own.
"""

from __future__ import annotations

import functools

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

from factcheck.db import prepared_cursor


@functools.cache
def _read_sql(model, alias: str) -> str:
    meta = model._meta
    q = connections[alias].ops.quote_name
    key, expiry, data = (
        q(meta.get_field(name).column) for name in ("session_key", "expire_date", "session_data")
    )
    return f"SELECT {data} FROM {q(meta.db_table)} WHERE {key} = %s AND {expiry} > %s"  # noqa: S608 (names from the model)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        """The session's row (its data only), or None, forgetting the key, as Django's store
        does for a key that is missing or expired."""
        if self.session_key is None or "\x00" in self.session_key:
            # No key holds one, and PostgreSQL refuses it in text: a forged cookie is no session.
            self._session_key = None
            return None
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with prepared_cursor(alias) as cursor:
            cursor.execute(_read_sql(self.model, alias), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])


def read_sql(alias: str, *, columns: str = "", joins: str = "") -> str:
    """This store's read statement (parameters: the key, then the time now) with more
    `columns` after the session's data and more `joins` after its table, as `s`; for a read
    that brings what the request needs next along with the session (claims.permissions:
    the session's user)."""
    model = SessionStore.get_model_class()
    meta = model._meta
    q = connections[alias].ops.quote_name
    key, expiry, data = (
        q(meta.get_field(name).column) for name in ("session_key", "expire_date", "session_data")
    )
    return (
        f"SELECT s.{data}{columns} FROM {q(meta.db_table)} s {joins} "  # noqa: S608 (names from the model)
        f"WHERE s.{key} = %s AND s.{expiry} > %s"
    )


def now_for(alias: str):
    """The time now as the read statement's expiry parameter."""
    return connections[alias].ops.adapt_datetimefield_value(timezone.now())


def prime(session: SessionStore, data: str | None) -> None:
    """Give `session` its row's data read elsewhere (`read_sql`; None: no such live session)
    as its own first read would have left it, so that it reads nothing itself."""
    if data is None:
        session._session_key = None
        session._session_cache = {}
    else:
        session._session_cache = session.decode(data)
