"""Per reviewer: what they hold now (open, due soon, overdue) and finished this week, as the
workload table's rows, the assignment policy's pool and the table's totals; and a claim's active
assignment."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from claims import permissions
from claims.models import Claim

from .. import policy
from ..models import Assignment, ReviewerProfile


def due_soon_hours() -> int:
    return getattr(settings, "DUE_SOON_HOURS", 24)


def week_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    monday = local - timedelta(days=local.weekday())
    return monday.replace(hour=0, minute=0, second=0, microsecond=0)


def workload(*, now: datetime | None = None):
    """Per reviewer: open, due soon, overdue and done this week (one query, plus topics).

    Each row also has what the assignment policy reads of a profile (`is_fact_checker`; `load`
    is `open_count`, set by `workload_pool`), so the same rows explain why claims wait."""
    now = now or timezone.now()
    soon = now + timedelta(hours=due_soon_hours())
    active = policy.active("user__assignments")
    return (
        ReviewerProfile.objects.select_related("user")
        .prefetch_related("topics")
        .annotate(
            is_fact_checker=permissions.holds_permission("claims.work_claim", user="user"),
            open_count=Count("user__assignments", filter=active),
            due_soon_count=Count(
                "user__assignments",
                filter=active
                & Q(user__assignments__due_at__gte=now, user__assignments__due_at__lt=soon),
            ),
            overdue_count=Count(
                "user__assignments", filter=active & Q(user__assignments__due_at__lt=now)
            ),
            done_week_count=Count(
                "user__assignments",
                filter=Q(
                    user__assignments__state=Assignment.State.COMPLETED,
                    user__assignments__ended_at__gte=week_start(now),
                ),
            ),
        )
        .order_by("user__username")
    )


def workload_pool(rows) -> list[ReviewerProfile]:
    """The workload rows as the assignment policy's pool (`policy.profiles`), without reading
    the profiles again: a reviewer's load is their open (active) assignments."""
    for row in rows:
        row.load = row.open_count
    return list(rows)


def workload_totals(rows) -> dict[str, int]:
    """The workload table's totals row, summed from its rows (no query)."""
    keys = ("open_count", "capacity", "due_soon_count", "overdue_count", "done_week_count")
    return {key: sum(getattr(row, key) for row in rows) for key in keys}


def active_assignment(claim: Claim) -> Assignment | None:
    return (
        Assignment.objects.filter(claim=claim, state=Assignment.State.ACTIVE)
        .select_related("reviewer", "assigned_by")
        .first()
    )
