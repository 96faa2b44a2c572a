"""Template context for the dashboard header: the unread notification count and, for editors,
how many verdicts wait for approval.

Lazy, and one query for both: the query runs only on pages whose template shows a count, the
first time one is read.
"""

from django.contrib.auth import get_user_model
from django.db.models import Func, IntegerField, Subquery
from django.utils.functional import SimpleLazyObject

from claims import permissions
from claims.models import Claim

from .models import Notification


def _count(queryset) -> Subquery:
    """`SELECT COUNT(*)` of `queryset`, as a subquery (no GROUP BY: one row, 0 when empty)."""
    count_all = Func(template="COUNT(*)", output_field=IntegerField())
    counted = queryset.order_by().annotate(n=count_all).values("n")
    return Subquery(counted, output_field=IntegerField())


def header_counts(user) -> dict[str, int]:
    """{"unread": the user's unread notifications, "waiting": verdicts waiting for an editor
    (0 for a user who may not approve)}, in one query."""
    editor = permissions.is_editor(user)
    counts = {"unread": _count(Notification.objects.filter(user=user, read_at__isnull=True))}
    if editor:
        counts["waiting"] = _count(Claim.objects.filter(state=Claim.State.SUBMITTED))
    rows = get_user_model().objects.filter(pk=user.pk).annotate(**counts).values(*counts)
    row = next(iter(rows.order_by()[:1]), {})
    return {"unread": row.get("unread") or 0, "waiting": row.get("waiting") or 0}


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications_count": 0}
    counts = SimpleLazyObject(lambda: header_counts(user))
    return {
        "unread_notifications_count": SimpleLazyObject(lambda: counts["unread"]),
        "header_counts": counts,
    }
