"""In-app notifications and their emails.

A notification is a row written in the same transaction as the change it reports, so it exists
exactly when the change does. Its email goes out from a Celery job after commit; the job marks the
row as emailed before sending, so an email is sent at most once, even when the job runs twice.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from claims import permissions

from .models import Notification

logger = logging.getLogger(__name__)
_batch = threading.local()
EMAIL_JOB_SIZE = 500


@contextlib.contextmanager
def emails_after():
    """Within this block (a Celery job's many short transactions), collect the emails and send
    them as a few jobs at its end, not one job per notification. A notification whose change
    rolled back is simply not found by the email job; one left unsent by a crash is picked up
    by the sweeper."""
    if getattr(_batch, "ids", None) is not None:
        yield  # already collecting
        return
    _batch.ids = []
    try:
        yield
    finally:
        ids, _batch.ids = _batch.ids, None
        if ids:
            from .tasks import email_notifications

            for start in range(0, len(ids), EMAIL_JOB_SIZE):
                email_notifications.delay(ids[start : start + EMAIL_JOB_SIZE])


def editors():
    """Active users who may approve verdicts (by group, by their own permission, or superuser)."""
    return list(permissions.users_with_permission("claims.approve_verdict").order_by("pk"))


def snippet(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut at a word boundary with "…" (never mid-word)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    mid_word = cut[-1].isalnum() and text[len(cut)].isalnum()
    if mid_word and space >= limit // 2:  # a word longer than half the room (a URL) is cut
        cut = cut[:space]
    return cut.rstrip(" ,.;:-–—(“\"'") + "…"


def notify(users, *, kind: str, message: str, claim=None, assignment=None) -> list[Notification]:
    """Tell people something, in the app and by email (after commit). Call inside the change's
    transaction so that the notification commits, or rolls back, with it."""
    seen, recipients = set(), []
    for user in users:
        if user is not None and user.pk not in seen:
            seen.add(user.pk)
            recipients.append(user)
    if not recipients:
        return []
    return notify_each(
        [
            Notification(user=u, claim=claim, assignment=assignment, kind=kind, message=message)
            for u in recipients
        ]
    )


def notify_each(notes: list[Notification]) -> list[Notification]:
    """Many notifications, each addressed and worded already, in one statement (the
    scheduler's batch); emailed after commit like `notify`'s."""
    for note in notes:
        note.message = snippet(note.message, 500)
    created = Notification.objects.bulk_create(notes)
    ids = [n.pk for n in created if n.pk is not None and n.user.email]
    if ids and getattr(_batch, "ids", None) is not None:
        _batch.ids.extend(ids)
    elif ids:
        from .tasks import email_notifications

        transaction.on_commit(lambda: email_notifications.delay(ids))
    return created


def send_emails(*, notification_ids: list[int]) -> int:
    """Email the given notifications that have not been emailed yet: at most once, never twice.
    Each is marked in its own statement just before it is sent (the mark decides who sends
    it), so a job killed mid-way loses at most the one email in flight; the rest stay unmarked
    for the sweeper. Returns how many were sent."""
    pending = list(
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )
    sent = 0
    for n in pending:
        claimed = Notification.objects.filter(pk=n.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue  # another job sent it meanwhile
        try:
            send_mail(
                f"[Factcheck] {snippet(n.message, 120)}",
                f"{n.message}\n\n{settings.SITE_URL}/reviewers/notifications/",
                settings.DEFAULT_FROM_EMAIL,
                [n.user.email],
            )
            sent += 1
        except OSError:
            # The mail server is down: the in-app notification stays; the email is not retried,
            # because a retry after a half-sent message could send it twice.
            logger.warning("could not email notification %s to %s", n.pk, n.user.email)
    return sent


# --- Reads (selectors for the header and the notifications page) ----------------------------


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def for_user(user, *, unread_only: bool = False, limit: int = 100):
    qs = Notification.objects.filter(user=user).select_related("claim")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return list(qs.order_by("-created_at", "-pk")[:limit])


def mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())
