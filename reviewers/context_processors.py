"""Template context for the dashboard header: the unread notification count and, for editors,
how many verdicts wait for approval.

Lazy, and one query for both: the query runs only on pages whose template shows a count, the
first time one is read.
"""

import functools

from django.db import connection
from django.utils.functional import SimpleLazyObject

from claims import permissions
from claims.models import Claim

from .models import Notification


@functools.cache
def _counts_sql(*, editor: bool) -> str:
    """The header's counts as one statement (parameters: the user's id, and for an editor the
    submitted state), written out once from the models' tables: built by the ORM on every
    page it cost more than it runs."""
    q = connection.ops.quote_name
    notification, claim = Notification._meta, Claim._meta
    unread = (
        f"SELECT COUNT(*) FROM {q(notification.db_table)} "  # noqa: S608 (names from the models)
        f"WHERE {q(notification.get_field('user').column)} = %s "
        f"AND {q(notification.get_field('read_at').column)} IS NULL"
    )
    if not editor:
        return f"SELECT ({unread}), 0"
    waiting = (
        f"SELECT COUNT(*) FROM {q(claim.db_table)} "  # noqa: S608 (names from the models)
        f"WHERE {q(claim.get_field('state').column)} = %s"
    )
    return f"SELECT ({unread}), ({waiting})"


def header_counts(user) -> dict[str, int]:
    """{"unread": the user's unread notifications, "waiting": verdicts waiting for an editor
    (0 for a user who may not approve)}, in one query."""
    editor = permissions.is_editor(user)
    params = [user.pk, Claim.State.SUBMITTED.value] if editor else [user.pk]
    with connection.cursor() as cursor:
        cursor.execute(_counts_sql(editor=editor), params)
        unread, waiting = cursor.fetchone()
    return {"unread": unread or 0, "waiting": waiting or 0}


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications_count": 0}
    counts = SimpleLazyObject(lambda: header_counts(user))
    return {
        "unread_notifications_count": SimpleLazyObject(lambda: counts["unread"]),
        "header_counts": counts,
    }
