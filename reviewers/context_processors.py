"""Template context for the dashboard header: the unread notification count.

Lazy: the count query runs only on pages whose template shows it.
"""

from django.utils.functional import SimpleLazyObject

from .notifications import unread_count


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications_count": 0}
    return {"unread_notifications_count": SimpleLazyObject(lambda: unread_count(user))}
