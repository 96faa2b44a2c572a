"""API tokens: one per user, made new on request (the old one stops working) and revoked by its
owner, by staff in the admin, or for scripts by `manage.py api_token USERNAME`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token


def token_create(*, user) -> Token:
    """A new token for `user`; any earlier one is revoked in the same transaction."""
    User = get_user_model()
    with transaction.atomic():
        # Serialises concurrent requests for the same user (one token per user is a constraint).
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        Token.objects.filter(user_id=user.pk).delete()
        return Token.objects.create(user_id=user.pk)


def token_revoke(*, user) -> bool:
    """Revoke the user's token. Returns whether there was one."""
    deleted, _ = Token.objects.filter(user_id=user.pk).delete()
    return deleted > 0
