"""Reads of the reviewers app, with their joins: a page costs the same few queries at any size."""

from __future__ import annotations

import functools
import json
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, Func, IntegerField, Q, Subquery, Window
from django.db.models.functions import Lead
from django.utils import timezone

from claims import permissions
from claims.models import Article, Claim, ClaimEvent, Topic
from claims.selectors import json_builder, set_prefetched, set_related

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
        with connection.cursor() as cursor:
            cursor.execute(_STAGE_TIMES_SQL, _stage_params(now, days))
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
    return _stage_times(measured)


# cycle_times on PostgreSQL: each state change of the last days with the time of the claim's
# next state change (a window function), a stay not ended yet left out; the median and count
# per stage.
_STAGE_TIMES_SQL = """
    SELECT to_state,
           PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM left_at - created_at)),
           COUNT(*)
    FROM (
        SELECT e.to_state, e.created_at,
               LEAD(e.created_at) OVER (PARTITION BY e.claim_id ORDER BY e.created_at, e.id)
                   AS left_at
        FROM "claims_claimevent" e
        WHERE e.created_at >= %(stages_since)s AND NOT (e.from_state = e.to_state)
    ) AS stays
    WHERE left_at IS NOT NULL AND to_state = ANY(%(stages)s)
    GROUP BY to_state"""


def _stage_params(now: datetime, days: int) -> dict:
    return {"stages_since": now - timedelta(days=days), "stages": [s for s, _ in STAGES]}


def _stage_times(measured: dict) -> list[StageTime]:
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


# --- The workload page, in one query --------------------------------------------------------

WAITING_SHOWN = 20
OVERDUE_SHOWN = 50


@functools.cache
def _profiles_sql() -> str:
    """Every reviewer profile with `is_fact_checker` (the one role rule,
    `permissions.holds_permission`), as the ORM writes it; compiled once, its only values (the
    permission's name) written in."""
    sql, params = (
        ReviewerProfile.objects.annotate(
            is_fact_checker=permissions.holds_permission("claims.work_claim", user="user")
        )
        .order_by()
        .values(*(f.attname for f in ReviewerProfile._meta.concrete_fields), "is_fact_checker")
        .query.sql_with_params()
    )
    # Placeholders of its own would clash with the page query's: its values are written in.
    return connection.ops.compose_sql(sql, params).replace("%", "%%")


_USER_JSON = "to_jsonb(u) - 'password'"  # a page never reads a password hash
_TOPICS_JSON = """(SELECT coalesce(jsonb_agg(jsonb_build_array(t.id, t.slug, t.name)
                                ORDER BY t.name, t.id), '[]')
         FROM "claims_topic" t JOIN "{through}" x ON x.topic_id = t.id
         WHERE x.{owner} = {owner_id})"""


@functools.cache
def _workload_page_sql() -> str:
    """The workload page's query: see `workload_page`."""
    profile_topics = _TOPICS_JSON.format(
        through="reviewers_reviewerprofile_topics", owner="reviewerprofile_id", owner_id="p.id"
    )
    claim_topics = _TOPICS_JSON.format(
        through="claims_claim_topics", owner="claim_id", owner_id="w.id"
    )
    return f"""SELECT
  (SELECT coalesce(jsonb_agg(jsonb_build_array(
            to_jsonb(p), {_USER_JSON}, c.open_count, c.due_soon_count, c.overdue_count,
            c.done_week_count, {profile_topics})
          ORDER BY u.username, p.id), '[]')
   FROM ({_profiles_sql()}) p
   JOIN "auth_user" u ON u.id = p.user_id
   CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE a.state = %(active)s) AS open_count,
              count(*) FILTER (WHERE a.state = %(active)s
                               AND a.due_at >= %(now)s AND a.due_at < %(soon)s) AS due_soon_count,
              count(*) FILTER (WHERE a.state = %(active)s AND a.due_at < %(now)s)
                  AS overdue_count,
              count(*) FILTER (WHERE a.state = %(completed)s AND a.ended_at >= %(week)s)
                  AS done_week_count
       FROM "reviewers_assignment" a WHERE a.reviewer_id = p.user_id) c),
  (SELECT coalesce(jsonb_agg(jsonb_build_array(s.to_state, s.median, s.count)), '[]')
   FROM ({_STAGE_TIMES_SQL}) s (to_state, median, count)),
  (SELECT coalesce(jsonb_agg(jsonb_build_array(to_jsonb(o), o.claim_text, o.username)
                             ORDER BY o.due_at, o.id), '[]')
   FROM (SELECT a.id, a.claim_id, a.reviewer_id, a.state, a.due_at,
                cl.text AS claim_text, ru.username
         FROM "reviewers_assignment" a
         JOIN "claims_claim" cl ON cl.id = a.claim_id
         JOIN "auth_user" ru ON ru.id = a.reviewer_id
         WHERE a.state = %(active)s AND a.due_at < %(now)s
         ORDER BY a.due_at, a.id LIMIT {OVERDUE_SHOWN}) o),
  (SELECT coalesce(jsonb_agg(jsonb_build_array(
            to_jsonb(w) - 'author', w.author, {claim_topics},
            (SELECT coalesce(jsonb_agg(jsonb_build_array(g.reviewer_id, g.state)
                                       ORDER BY g.assigned_at, g.id), '[]')
             FROM "reviewers_assignment" g
             WHERE g.claim_id = w.id AND g.state = ANY(%(gave_up)s)))
          ORDER BY w.created_at, w.id), '[]')
   FROM (SELECT cl.id, cl.text, cl.language, cl.state, cl.assignee_id, cl.article_id,
                cl.created_at, ar.author
         FROM "claims_claim" cl JOIN "claims_article" ar ON ar.id = cl.article_id
         WHERE cl.state = %(open)s
         ORDER BY cl.created_at, cl.id LIMIT {WAITING_SHOWN}) w),
  (SELECT count(*) FROM "claims_claim" WHERE state = %(open)s),
  (SELECT count(*) FROM "reviewers_assignment" WHERE state = %(active)s AND due_at < %(now)s)
"""  # noqa: S608 (table names and placeholders only; every value is a parameter)


def workload_page(*, now: datetime | None = None, days: int = 90) -> dict:
    """What the workload page shows, on PostgreSQL in one query whatever the number of
    reviewers: the rows of `workload` (topics, `is_fact_checker`, `load`: their open
    assignments, as `workload_pool` sets it) and their totals, `cycle_times` and its
    bottleneck, the most overdue assignments and the longest-waiting open claims with why
    nobody has them (`waiting_claims`), and how many of each there are in all
    (`backlog_totals`). Elsewhere (the SQLite demo) from those functions, several queries."""
    now = now or timezone.now()
    if connection.vendor != "postgresql":
        stages = cycle_times(days=days, now=now)
        rows = list(workload(now=now))
        backlog = backlog_totals(now=now)
        return _page(
            rows,
            stages,
            overdue_assignments(now=now, limit=OVERDUE_SHOWN),
            waiting_claims(limit=WAITING_SHOWN, pool=workload_pool(rows)),
            backlog,
        )
    params = {
        **_stage_params(now, days),
        "now": now,
        "soon": now + timedelta(hours=due_soon_hours()),
        "week": week_start(now),
        "active": Assignment.State.ACTIVE,
        "completed": Assignment.State.COMPLETED,
        "open": Claim.State.OPEN,
        "gave_up": list(policy.GAVE_UP),
    }
    with connection.cursor() as cursor:
        cursor.execute(_workload_page_sql(), params)
        row = cursor.fetchone()
    # Django has psycopg hand JSON over as text.
    profile_rows, stage_rows, overdue_rows, waiting_rows = (json.loads(v) for v in row[:4])
    waiting_total, overdue_total = row[4:]
    user, topic = json_builder(get_user_model()), json_builder(Topic)

    def topics_of(owner, topic_rows) -> None:
        set_prefetched(
            owner,
            "topics",
            [topic({"id": pk, "slug": slug, "name": name}) for pk, slug, name in topic_rows],
        )

    profile_of, rows = json_builder(ReviewerProfile), []
    for profile_row, user_row, *counts, topic_rows in profile_rows:
        rows.append(p := profile_of(profile_row))
        p.is_fact_checker = profile_row["is_fact_checker"]
        p.open_count, p.due_soon_count, p.overdue_count, p.done_week_count = counts
        set_related(p, "user", user(user_row))
        topics_of(p, topic_rows)
    pool = workload_pool(rows)

    assignment, claim_of, overdue = json_builder(Assignment), json_builder(Claim), []
    for assignment_row, claim_text, username in overdue_rows:
        overdue.append(a := assignment(assignment_row))
        set_related(a, "claim", claim_of({"id": a.claim_id, "text": claim_text}))
        set_related(a, "reviewer", user({"id": a.reviewer_id, "username": username}))

    article_of, claims, gave_up = json_builder(Article), [], []
    for claim_row, author, topic_rows, gave_up_rows in waiting_rows:
        claims.append(c := claim_of(claim_row))
        set_related(c, "article", article_of({"id": c.article_id, "author": author}))
        topics_of(c, topic_rows)
        gave_up += [(c.pk, reviewer_id, state) for reviewer_id, state in gave_up_rows]
    reasons = policy.why_unassigned_many(claims, pool=pool, gave_up_rows=gave_up)
    stages = _stage_times({state: (median, count) for state, median, count in stage_rows})
    return _page(
        rows,
        stages,
        overdue,
        [(c, reasons[c.pk]) for c in claims],
        {"waiting": waiting_total, "overdue": overdue_total},
    )


def _page(rows, stages, overdue, waiting, backlog) -> dict:
    return {
        "rows": rows,
        "totals": workload_totals(rows),
        "stages": stages,
        "bottleneck": bottleneck(stages),
        "overdue": overdue,
        "overdue_total": backlog["overdue"],
        "waiting": waiting,
        "waiting_total": backlog["waiting"],
        "due_soon_hours": due_soon_hours(),
    }
