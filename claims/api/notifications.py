"""Marking a person's notifications read (a single UPDATE; idempotent).

It belongs with reviewers/notifications.py once that module offers it; kept here so the API
does not wait on it.
"""

from __future__ import annotations

from django.utils import timezone

from reviewers.models import Notification


def notifications_mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications (all, or those ids) read. Returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
