"""Token authentication that loads, in the one query that checks the token, the user and every
permission the user holds (their own and their groups'), so the permission checks of the request
(claims/permissions.py, through `user.has_perm`) ask no further query.

The permissions are read fresh for every request, exactly as Django's ModelBackend reads them
(`user.user_permissions` and the permissions of `user.groups`), and handed to it as the caches it
fills itself on the first `has_perm`; a group or permission taken away applies to the next
request. A superuser holds every permission: ModelBackend answers that from its own query, as
before. On databases other than PostgreSQL this is DRF's token check (three queries).
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import F, OuterRef, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token


def _permission_names(**where):
    """Permission names ("app_label.codename", as ModelBackend writes them) matching `where`,
    as an array subquery."""
    from django.contrib.postgres.expressions import ArraySubquery

    names = (
        Permission.objects.filter(**where)
        .order_by()
        .values_list(Concat(F("content_type__app_label"), Value("."), F("codename")))
    )
    return ArraySubquery(names)


def token_with_permissions(key: str) -> Token:
    """The token `key` with its user, the user's own permission names (`user_permission_names`)
    and their groups' (`group_permission_names`), in one query. Raises Token.DoesNotExist."""
    user = OuterRef("user_id")
    return (
        Token.objects.select_related("user")
        .annotate(
            user_permission_names=_permission_names(user=user),
            group_permission_names=_permission_names(group__user=user),
        )
        .get(key=key)
    )


def preload_permissions(user, own: list[str], groups: list[str]) -> None:
    """Hand ModelBackend the permissions it would load on the first `has_perm` (the attribute
    names are its caches: `_user_perm_cache`, `_group_perm_cache`, `_perm_cache`)."""
    user._user_perm_cache = set(own)
    user._group_perm_cache = set(groups)
    user._perm_cache = {*own, *groups}


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`; the user comes with their permissions (one query)."""

    def authenticate_credentials(self, key):
        if connection.vendor != "postgresql":
            return super().authenticate_credentials(key)
        try:
            token = token_with_permissions(key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if not user.is_superuser:
            preload_permissions(user, token.user_permission_names, token.group_permission_names)
        return user, token
