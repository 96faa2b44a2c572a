"""Reads of the reviewers app, with their joins: a page costs the same few queries at any size."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Func, IntegerField, Q, Subquery, Window
from django.db.models.functions import Lead
from django.utils import timezone

from claims import permissions
from claims.models import Claim, ClaimEvent

from . import policy
from .models import Assignment, ReviewerProfile

# The stages of a claim whose time the workload page measures, in workflow order.
STAGES = [
    ("open", "Open, waiting for a reviewer"),
    ("assigned", "Assigned, not started"),
    ("in_review", "In review"),
    ("submitted", "Submitted, waiting for editors"),
]


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


def overdue_assignments(*, now: datetime | None = None, limit: int = 50):
    now = now or timezone.now()
    return list(
        Assignment.objects.filter(state=Assignment.State.ACTIVE, due_at__lt=now)
        .select_related("claim", "reviewer")
        .order_by("due_at")[:limit]
    )


def _count(queryset) -> Subquery:
    """`SELECT COUNT(*)` of `queryset` as a subquery (one row, 0 when empty)."""
    count_all = Func(template="COUNT(*)", output_field=IntegerField())
    return Subquery(queryset.order_by().annotate(n=count_all).values("n"))


def backlog_totals(*, now: datetime | None = None) -> dict[str, int]:
    """How many open claims wait for a reviewer, and how many active assignments are overdue,
    in all (the page lists only the first of each). Two indexed counts, sent as one query: one
    aggregate over every claim joined to its assignments read the whole table (100 ms at 100k
    claims)."""
    now = now or timezone.now()
    counts = {
        "waiting": _count(Claim.objects.filter(state=Claim.State.OPEN)),
        "overdue": _count(Assignment.objects.filter(policy.active(), due_at__lt=now)),
    }
    # Any one-row table to select the two subqueries from: the counts' own table, limited.
    row = next(iter(Claim.objects.order_by().annotate(**counts).values(*counts)[:1]), None)
    if row is None:  # no claim at all: nothing waits, nothing is overdue
        return {"waiting": 0, "overdue": 0}
    return {key: row[key] or 0 for key in counts}


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


def stuck_claims(*, limit: int = 8, minutes: int = 5) -> dict:
    """Open claims that waited past a few assignment runs: nobody could take them. The
    longest-waiting first, each with why, and their total (constant queries)."""
    cutoff = timezone.now() - timedelta(minutes=minutes)
    return {
        "rows": waiting_claims(limit=limit, before=cutoff),
        "total": Claim.objects.filter(state=Claim.State.OPEN, created_at__lt=cutoff).count(),
        "minutes": minutes,
    }


def waiting_claims(
    *, limit: int = 20, before: datetime | None = None, pool: list[ReviewerProfile] | None = None
) -> list[tuple[Claim, str]]:
    """The longest-waiting open claims, each with why nobody has it (constant queries; `pool`:
    see `policy.why_unassigned_many`)."""
    waiting = Claim.objects.filter(state=Claim.State.OPEN)
    if before is not None:
        waiting = waiting.filter(created_at__lt=before)
    claims = list(
        waiting.select_related("article")
        .prefetch_related("topics")
        .order_by("created_at", "pk")[:limit]
    )
    reasons = policy.why_unassigned_many(claims, pool=pool)
    return [(c, reasons[c.pk]) for c in claims]


@dataclass(frozen=True)
class StageTime:
    state: str
    label: str
    median: timedelta | None
    count: int


def cycle_times(*, days: int = 90, now: datetime | None = None) -> list[StageTime]:
    """Median time claims spend in each stage, from the audit trail of the last `days` days.

    One query: each state change with the time of the claim's next state change (a window
    function); a stay that has not ended yet is not counted.
    """
    now = now or timezone.now()
    changes = (
        ClaimEvent.objects.filter(created_at__gte=now - timedelta(days=days))
        .exclude(from_state=F("to_state"))
        .annotate(
            left_at=Window(
                Lead("created_at"),
                partition_by=[F("claim_id")],
                order_by=[F("created_at").asc(), F("pk").asc()],
            )
        )
        .order_by()
        .values_list("to_state", "created_at", "left_at")
    )
    if connection.vendor == "postgresql":
        # The medians in the database: one round trip and four rows, where reading every
        # stay through a cursor took a DECLARE, FETCHes and a CLOSE.
        inner, params = changes.query.sql_with_params()
        # Django's compiled SQL, its values as params:
        sql = f"""
            SELECT to_state,
                   PERCENTILE_CONT(0.5) WITHIN GROUP (
                       ORDER BY EXTRACT(EPOCH FROM left_at - created_at)),
                   COUNT(*)
            FROM ({inner}) AS stays
            WHERE left_at IS NOT NULL AND to_state = ANY(%s)
            GROUP BY to_state"""  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, [state for state, _ in STAGES]])
            measured = {state: (median, count) for state, median, count in cursor.fetchall()}
    else:
        stays: dict[str, list[float]] = {state: [] for state, _ in STAGES}
        for state, entered, left in changes.iterator(chunk_size=2000):
            if state in stays and left is not None:
                stays[state].append((left - entered).total_seconds())
        measured = {
            state: (statistics.median(seconds), len(seconds))
            for state, seconds in stays.items()
            if seconds
        }
    return [
        StageTime(
            state=state,
            label=label,
            median=timedelta(seconds=float(measured[state][0])) if state in measured else None,
            count=measured[state][1] if state in measured else 0,
        )
        for state, label in STAGES
    ]


def bottleneck(stages: list[StageTime]) -> StageTime | None:
    measured = [s for s in stages if s.median is not None]
    return max(measured, key=lambda s: s.median) if measured else None


def active_assignment(claim: Claim) -> Assignment | None:
    return (
        Assignment.objects.filter(claim=claim, state=Assignment.State.ACTIVE)
        .select_related("reviewer", "assigned_by")
        .first()
    )
