"""The reviewers app's sweeper: its lost work is redone within minutes (README "Recovery").

The database is the truth: open claims are assigned here and now (a lost assignment job), and
notifications whose email was never sent (a lost email job, a broker outage) are emailed, for
up to NOTIFICATION_EMAIL_RETRY_DAYS. Reminders and expiry need no sweep: beat runs them every
minute and each finds its work from the assignments themselves. The claims app sweeps its own
work (claims/recovery.py).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import Notification
from .services import assign_open_claims

EMAIL_BATCH = 1000


def sweep() -> dict:
    """Assign what is open; return the ids of unsent emails under "unsent" for the caller (the
    sweeper task) to queue."""
    now = timezone.now()
    unsent = list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            created_at__lt=now - timedelta(minutes=1),
            created_at__gte=now - timedelta(days=settings.NOTIFICATION_EMAIL_RETRY_DAYS),
        )
        .exclude(user__email="")
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:EMAIL_BATCH]
    )
    run = assign_open_claims(limit=1000)
    return {"assigned": run.assigned, "emails": len(unsent), "unsent": unsent}
