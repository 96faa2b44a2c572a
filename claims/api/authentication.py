"""Token authentication that reads, in the one query that checks the token, the user and every
permission the user holds (their own and their groups'), so the permission checks of the request
(claims/permissions.py, through `user.has_perm`) ask no further query.

The permissions are read fresh for every request, the same rows Django's ModelBackend reads
(`user.user_permissions`, and the permissions of `user.groups`), and handed to it as the caches
it fills itself on the first `has_perm`: a group or permission taken away applies to the next
request. A superuser holds every permission, which ModelBackend answers from its own query, as
before. On databases other than PostgreSQL this is DRF's token check (three queries).

The query is written out (table and column names from the models) rather than built by the ORM
on every request: it runs before every API answer, and building it cost more than running it.
For the same reason it is a prepared statement on PostgreSQL (factcheck/db.py; planned once per
connection: planning its joins took about five times as long as running them), unless the
settings turn prepared statements off (DATABASE_PREPARED_STATEMENTS=0).
"""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from claims.permissions import permission_names_sql, preload_permissions
from factcheck.db import prepared_cursor


@functools.cache
def _token_sql() -> tuple[str, list[str], list[str]]:
    """The query (one parameter: the key) and the token's and the user's field names, in the
    order of its columns; then the user's own permission names and their groups'."""
    User = get_user_model()
    q = connection.ops.quote_name
    token_fields = [f.attname for f in Token._meta.concrete_fields]
    user_fields = [f.attname for f in User._meta.concrete_fields]
    columns = [f"t.{q(f.column)}" for f in Token._meta.concrete_fields]
    columns += [f"u.{q(f.column)}" for f in User._meta.concrete_fields]
    user_pk = f"u.{q(User._meta.pk.column)}"
    # Names from the models and the database's quoting; the key is the one parameter.
    sql = (
        f"SELECT {', '.join(columns)}, {permission_names_sql(user_pk)} "  # noqa: S608
        f"FROM {q(Token._meta.db_table)} t "
        f"JOIN {q(User._meta.db_table)} u "
        f"ON {user_pk} = t.{q(Token._meta.get_field('user').column)} "
        f"WHERE t.{q(Token._meta.pk.column)} = %s"
    )
    return sql, token_fields, user_fields


def token_with_permissions(key: str) -> tuple[Token, list[str], list[str]] | None:
    """The token `key` with its user (`token.user`), the names ("app_label.codename", as
    ModelBackend writes them) of the user's own permissions and of their groups'; None when
    there is no such token. One query."""
    if "\x00" in key:  # no key holds one, and PostgreSQL refuses it in text (a 500)
        return None
    sql, token_fields, user_fields = _token_sql()
    with prepared_cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    n = len(token_fields)
    token = Token.from_db(connection.alias, token_fields, row[:n])
    user = get_user_model().from_db(connection.alias, user_fields, row[n : n + len(user_fields)])
    token.user = user
    return token, list(row[-2]), list(row[-1])


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`; the user comes with their permissions (one query)."""

    def authenticate_credentials(self, key):
        if connection.vendor != "postgresql":
            return super().authenticate_credentials(key)
        found = token_with_permissions(key)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token, own, groups = found
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if not user.is_superuser:
            preload_permissions(user, own, groups)
        return user, token
