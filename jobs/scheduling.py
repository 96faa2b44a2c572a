"""One run per beat slot, whoever sent it: a second beat process (started by mistake, or two
`make run`s) doubles no periodic effect.

A periodic task started by beat (kwargs `scheduled=True`) first claims its slot, the start of
its current period: a row unique on (job, slot). The run that inserts it runs; any other run
for that slot returns at once. Runs asked for outside beat (after new claims, from a test or a
script) do not claim slots.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .leases import holder
from .models import ScheduledRun

logger = logging.getLogger(__name__)


def period_of(task_name: str) -> float:
    for entry in getattr(settings, "CELERY_BEAT_SCHEDULE", {}).values():
        if entry.get("task") == task_name:
            schedule = entry["schedule"]
            if hasattr(schedule, "total_seconds"):
                return float(schedule.total_seconds())
            return float(schedule)
    return 60.0


def claim_slot(task_name: str, *, period: float | None = None, now: datetime | None = None) -> bool:
    """True for the first run of this job in its current beat period; False for any other."""
    period = period or period_of(task_name)
    now = now or timezone.now()
    start = int(now.timestamp() // period * period)
    slot = datetime.fromtimestamp(start, tz=UTC)
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(job=task_name, slot=slot, holder=holder())
    except IntegrityError:
        logger.warning("%s: slot %s already ran (a second beat?); skipped", task_name, slot)
        return False
    return True


def prune(*, days: int = 2) -> int:
    return ScheduledRun.objects.filter(slot__lt=timezone.now() - timedelta(days=days)).delete()[0]
