"""The workload page, in one query: on PostgreSQL every figure of the page (the reviewers'
rows, the stages, the overdue assignments and the waiting claims, and their totals) as JSON in
one statement; elsewhere from the separate selectors."""

from __future__ import annotations

import functools
import json
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from claims import permissions
from claims.models import Article, Claim, Topic
from claims.selectors import json_builder, set_prefetched, set_related
from factcheck.db import prepared_cursor

from .. import policy
from ..models import Assignment, ReviewerProfile
from .backlog import backlog_totals, overdue_assignments, waiting_claims
from .reviewer_load import due_soon_hours, week_start, workload, workload_pool, workload_totals
from .stages import _STAGE_TIMES_SQL, _stage_params, _stage_times, bottleneck, cycle_times

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
    (`backlog_totals`); a prepared statement (factcheck/db.py: planning it took 1.6-3.5 ms of
    its ~8). Elsewhere (the SQLite demo) from those functions, several queries."""
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
    with prepared_cursor() as cursor:
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
