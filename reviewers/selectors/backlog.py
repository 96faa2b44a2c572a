"""What waits: open claims nobody has taken, each with why, and overdue assignments; the first
of each as the page lists them and how many there are in all."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Func, IntegerField, Subquery
from django.utils import timezone

from claims import state_counts
from claims.models import Claim
from claims.selectors import count_sql, json_value
from factcheck.db import prepared_cursor

from .. import policy
from ..models import Assignment, ReviewerProfile
from .statements import (
    PROFILE_TOPICS_JSON,
    USER_JSON,
    profile_from,
    profiles_sql,
    waiting_claims_json,
    waiting_from,
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


def stuck_claims(*, limit: int = 8, minutes: int = 5) -> dict:
    """Open claims that waited past a few assignment runs: nobody could take them. The
    longest-waiting first, each with why, and their total. On PostgreSQL one prepared
    statement reads them with every reviewer profile (`_stuck_sql`: built and compiled through
    the ORM, the profiles alone took ~8 ms of the overview); elsewhere a few queries."""
    cutoff = timezone.now() - timedelta(minutes=minutes)
    if connection.vendor != "postgresql":
        return {
            "rows": waiting_claims(limit=limit, before=cutoff),
            "total": _open_before(cutoff),
            "minutes": minutes,
        }
    params = {
        "before": cutoff,
        "open": Claim.State.OPEN,
        "gave_up": list(policy.GAVE_UP),
    }
    with prepared_cursor() as cursor:
        cursor.execute(_stuck_sql(limit), params)
        profile_rows, waiting_rows, total = cursor.fetchone()
    pool = [profile_from(*row) for row in json_value(profile_rows)]
    claims, gave_up = waiting_from(json_value(waiting_rows))
    reasons = policy.why_unassigned_many(claims, pool=pool, gave_up_rows=gave_up)
    return {"rows": [(c, reasons[c.pk]) for c in claims], "total": total, "minutes": minutes}


@functools.cache
def _stuck_sql(limit: int) -> str:
    """`stuck_claims`' statement on PostgreSQL: every reviewer profile as `policy.profiles`
    reads them (user, topics, `is_fact_checker`; by user id), the first `limit` open claims
    filed before the cutoff (`waiting_claims`), and how many there are (`_open_before`)."""
    open_sql, _ = state_counts.count_sql([Claim.State.OPEN])
    open_sql = open_sql.replace("%s", "%(open)s")
    return f"""SELECT
  (SELECT coalesce(jsonb_agg(jsonb_build_array(to_jsonb(p), {USER_JSON}, {PROFILE_TOPICS_JSON})
                             ORDER BY p.user_id), '[]')
   FROM ({profiles_sql()}) p JOIN "auth_user" u ON u.id = p.user_id),
  {waiting_claims_json(limit, before=True)},
  ({open_sql}) - (SELECT count(*) FROM "claims_claim"
                  WHERE state = %(open)s AND created_at >= %(before)s)
"""  # noqa: S608 (table names and placeholders only; every value is a parameter)


def _open_before(cutoff: datetime) -> int:
    """How many open claims were filed before `cutoff`: every open claim (the counts the
    database keeps a state) less those filed since (the last few minutes' claims, by their
    filing time's index), in one statement, so both read the same snapshot. (Counting the
    open claims before `cutoff` read every one of them: 2 ms at 26,000 open claims.)"""
    open_sql, open_params = state_counts.count_sql([Claim.State.OPEN])
    since_sql, since_params = count_sql(
        Claim.objects.filter(state=Claim.State.OPEN, created_at__gte=cutoff)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({open_sql}) - ({since_sql})", [*open_params, *since_params])
        return int(cursor.fetchone()[0])


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
