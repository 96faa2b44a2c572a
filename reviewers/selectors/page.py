"""The workload page, in one query: on PostgreSQL every figure of the page (the reviewers'
rows, the stages, the overdue assignments and the waiting claims, and their totals) as JSON in
one statement; elsewhere from the separate selectors."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from claims.models import Claim
from claims.selectors import json_builder, json_value, set_related
from factcheck.db import prepared_cursor

from .. import policy
from ..models import Assignment
from .backlog import backlog_totals, overdue_assignments, waiting_claims
from .reviewer_load import due_soon_hours, week_start, workload, workload_pool, workload_totals
from .stages import _STAGE_TIMES_SQL, _stage_params, _stage_times, bottleneck, cycle_times
from .statements import (
    PROFILE_TOPICS_JSON,
    USER_JSON,
    profile_from,
    profiles_sql,
    waiting_claims_json,
    waiting_from,
)

WAITING_SHOWN = 20
OVERDUE_SHOWN = 50


@functools.cache
def _workload_page_sql() -> str:
    """The workload page's query: see `workload_page`."""
    return f"""SELECT
  (SELECT coalesce(jsonb_agg(jsonb_build_array(
            to_jsonb(p), {USER_JSON}, c.open_count, c.due_soon_count, c.overdue_count,
            c.done_week_count, {PROFILE_TOPICS_JSON})
          ORDER BY u.username, p.id), '[]')
   FROM ({profiles_sql()}) p
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
  {waiting_claims_json(WAITING_SHOWN, before=False)},
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
    profile_rows, stage_rows, overdue_rows, waiting_rows = (json_value(v) for v in row[:4])
    waiting_total, overdue_total = row[4:]
    rows = []
    for profile_row, user_row, *counts, topic_rows in profile_rows:
        rows.append(p := profile_from(profile_row, user_row, topic_rows))
        p.open_count, p.due_soon_count, p.overdue_count, p.done_week_count = counts
    pool = workload_pool(rows)

    assignment, claim_of, user = (
        json_builder(Assignment),
        json_builder(Claim),
        json_builder(get_user_model()),
    )
    overdue = []
    for assignment_row, claim_text, username in overdue_rows:
        overdue.append(a := assignment(assignment_row))
        set_related(a, "claim", claim_of({"id": a.claim_id, "text": claim_text}))
        set_related(a, "reviewer", user({"id": a.reviewer_id, "username": username}))

    claims, gave_up = waiting_from(waiting_rows)
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
