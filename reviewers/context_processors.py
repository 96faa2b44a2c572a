"""Template context for the dashboard header: the unread notification count and, for editors,
how many verdicts wait for approval.

Lazy, and one query for both: the query runs only on pages whose template shows a count, the
first time one is read. A page that reads its own choices or counts in one query
(claims.views.common.page_lookups) reads these with them (`unread_figure`, `waiting_figure`,
registered in reviewers/apps.py), and then no query runs here.
"""

import functools

from django.db import connection
from django.utils.functional import SimpleLazyObject

from claims import permissions, state_counts
from claims.models import Claim
from factcheck.db import prepared_cursor

from .models import Notification


@functools.cache
def _unread_sql() -> str:
    q = connection.ops.quote_name
    notification = Notification._meta
    return (
        f"SELECT COUNT(*) FROM {q(notification.db_table)} "  # noqa: S608 (names from the models)
        f"WHERE {q(notification.get_field('user').column)} = %s "
        f"AND {q(notification.get_field('read_at').column)} IS NULL"
    )


def unread_figure(user) -> tuple[str, list]:
    """The user's unread notifications, as SQL of one number (for `page_lookups`, which reads
    the header's counts in a dashboard page's own query: claims.header.HEADER_FIGURES)."""
    return _unread_sql(), [user.pk]


def waiting_figure(user) -> tuple[str, list] | None:
    """The verdicts waiting for an editor, for editors only: the claims submitted, from the
    counts the database keeps a state (claims/state_counts.py)."""
    if not permissions.is_editor(user):
        return None
    return state_counts.count_sql([Claim.State.SUBMITTED.value])


def header_counts(user) -> dict[str, int]:
    """{"unread": the user's unread notifications, "waiting": verdicts waiting for an editor
    (0 for a user who may not approve)}, in one query (the SQL written out once from the
    models' tables: built by the ORM on every page it cost more than it runs)."""
    waiting = waiting_figure(user)
    sql = f"SELECT ({_unread_sql()}), " + (f"({waiting[0]})" if waiting else "0")
    with prepared_cursor() as cursor:
        cursor.execute(sql, [user.pk, *(waiting[1] if waiting else [])])
        unread, waiting_count = cursor.fetchone()
    return {"unread": unread or 0, "waiting": waiting_count or 0}


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications_count": 0}
    known = getattr(request, "header_figures", None)
    if known is not None:
        # Read by the page's own query (claims.views.common.page_lookups).
        counts = {"unread": known.get("unread", 0), "waiting": known.get("waiting", 0)}
        return {"unread_notifications_count": counts["unread"], "header_counts": counts}
    counts = SimpleLazyObject(lambda: header_counts(user))
    return {
        "unread_notifications_count": SimpleLazyObject(lambda: counts["unread"]),
        "header_counts": counts,
    }
