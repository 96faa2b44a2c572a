"""In-app notifications and their emails (sent only after the transaction commits)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from claims import permissions

from .models import Notification


def editors():
    User = get_user_model()
    return [
        u
        for u in User.objects.filter(is_active=True).prefetch_related("groups")
        if permissions.is_editor(u)
    ]


def notify(users, *, kind: str, message: str, claim=None, email: bool = True) -> None:
    users = [u for u in users if u is not None]
    Notification.objects.bulk_create(
        [Notification(user=u, claim=claim, kind=kind, message=message[:500]) for u in users]
    )
    recipients = [u.email for u in users if u.email]
    if email and recipients:
        subject = f"[Factcheck] {message[:120]}"
        transaction.on_commit(
            lambda: send_mail(
                subject,
                message,
                settings.DEFAULT_FROM_EMAIL,
                recipients,
                fail_silently=True,
            )
        )


def notifications_mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications (all, or those ids) read. Returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
