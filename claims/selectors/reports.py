"""The reports page's figures: one PostgreSQL statement (FILTER, percentile_cont), the same
figures computed portably on SQLite."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from statistics import median

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Count,
    QuerySet,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone

from ..models import (
    Claim,
    Rating,
    Verdict,
)
from .claim_page import json_value
from .lists import active_ratings

# --- Reports --------------------------------------------------------------------------------

TIME_TO_VERDICT_BUCKETS = [
    ("under 4 h", timedelta(hours=4)),
    ("4–24 h", timedelta(hours=24)),
    ("1–3 days", timedelta(days=3)),
    ("3–7 days", timedelta(days=7)),
    ("over 7 days", None),
]


def _report_weeks(weeks: int, now) -> list:
    start = (now - timedelta(weeks=weeks - 1)).date()
    start = start - timedelta(days=start.weekday())  # Monday
    return [start + timedelta(weeks=i) for i in range(weeks)]


def _local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def report_figures(claims: QuerySet, *, weeks: int = 12, now=None) -> dict:
    """The reports page's four series, for the claims a ClaimFilter selected.

    On PostgreSQL one query: the chosen claims are read once, counted by state with one
    FILTER clause per state; their approved verdicts are counted by rating, by week and by
    time to verdict with FILTER clauses, the median is percentile_cont, and the active ratings
    come along as JSON. Elsewhere (the SQLite demo) the same figures from several queries."""
    now = now or timezone.now()
    if connection.vendor != "postgresql":
        return report_figures_portable(claims, weeks=weeks, now=now)
    mondays = _report_weeks(weeks, now)
    bounds = [_local_midnight(m) for m in [*mondays, mondays[-1] + timedelta(weeks=1)]]
    try:
        chosen_sql, chosen_params = (
            claims.order_by().values("pk", "state", "created_at").query.sql_with_params()
        )
    except EmptyResultSet:  # claims.none()
        chosen_sql, chosen_params = "SELECT NULL::bigint, '', NULL::timestamptz WHERE false", ()
    states = [value for value, _label in Claim.State.choices]
    by_state_sql = ", ".join("count(*) FILTER (WHERE c.state = %s)" for _ in states)
    timed = "v.is_current AND v.decided_at IS NOT NULL"
    duration = "(v.decided_at - v.created_at)"
    week_sql = ", ".join(
        "count(*) FILTER (WHERE v.decided_at >= %s AND v.decided_at < %s)" for _ in mondays
    )
    week_params = [b for i in range(len(mondays)) for b in (bounds[i], bounds[i + 1])]
    bucket_sql, bucket_params, lower = [], [], timedelta(0)
    for _label, upper in TIME_TO_VERDICT_BUCKETS:
        if upper is None:
            bucket_sql.append(f"count(*) FILTER (WHERE {timed} AND {duration} >= %s)")
            bucket_params += [lower]
        else:
            bucket_sql.append(
                f"count(*) FILTER (WHERE {timed} AND {duration} >= %s AND {duration} < %s)"
            )
            bucket_params += [lower, upper]
        lower = upper or lower
    verdict, rating = Verdict._meta.db_table, Rating._meta.db_table
    sql = f"""
        WITH chosen (id, state, created_at) AS MATERIALIZED ({chosen_sql}),
        approved AS (
            SELECT v.rating_id, v.is_current, v.decided_at, c.created_at
            FROM {verdict} v JOIN chosen c ON c.id = v.claim_id
            WHERE v.state = %s
        )
        SELECT s.*, a.*, (
            SELECT coalesce(json_agg(json_build_array(r.id, r.slug, r.label)
                                     ORDER BY r.position, r.id), '[]'::json)
            FROM {rating} r WHERE r.active AND r.scale = 'default'
        ) AS ratings
        FROM (SELECT {by_state_sql} FROM chosen c) s
        CROSS JOIN (
            SELECT
                (SELECT coalesce(json_object_agg(rating_id, n), '{{}}'::json) FROM (
                    SELECT rating_id, count(*) AS n FROM approved
                    WHERE is_current AND rating_id IS NOT NULL GROUP BY rating_id) per_rating),
                {week_sql},
                {", ".join(bucket_sql)},
                percentile_cont(0.5) WITHIN GROUP (ORDER BY {duration}) FILTER (WHERE {timed}),
                count(*) FILTER (WHERE {timed})
            FROM approved v
        ) a
    """  # noqa: S608 (table names and placeholders only; every value is a parameter)
    params = [
        *chosen_params,
        Verdict.State.APPROVED,
        *states,
        *week_params,
        *bucket_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = list(cursor.fetchone())
    state_counts, row = row[: len(states)], row[len(states) :]
    rating_counts, row = row[0], row[1:]
    week_counts, row = row[: len(mondays)], row[len(mondays) :]
    bucket_counts, row = row[: len(TIME_TO_VERDICT_BUCKETS)], row[len(TIME_TO_VERDICT_BUCKETS) :]
    median_duration, approved_count, ratings = row
    rating_counts = json_value(rating_counts)
    return {
        "total": sum(state_counts),
        "by_state": [
            (value, label, n)
            for (value, label), n in zip(Claim.State.choices, state_counts, strict=True)
        ],
        "by_rating": [
            (slug, label, rating_counts.get(str(pk), 0)) for pk, slug, label in json_value(ratings)
        ],
        "per_week": list(zip(mondays, week_counts, strict=True)),
        "time_to_verdict": [
            (label, n)
            for (label, _upper), n in zip(TIME_TO_VERDICT_BUCKETS, bucket_counts, strict=True)
        ],
        "median_time_to_verdict": median_duration,
        "approved_count": approved_count,
    }


def report_figures_portable(claims: QuerySet, *, weeks: int, now) -> dict:
    """report_figures where PostgreSQL's FILTER/percentile_cont are not at hand."""
    chosen = Claim.objects.filter(pk__in=claims.values("pk"))
    by_state_counts = dict(
        chosen.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    by_state = [
        (value, label, by_state_counts.get(value, 0)) for value, label in Claim.State.choices
    ]

    approved = Verdict.objects.current().filter(claim__in=chosen, state=Verdict.State.APPROVED)
    rating_counts = dict(
        approved.order_by()
        .values_list("rating_id")
        .annotate(n=Count("pk"))
        .values_list("rating_id", "n")
    )
    by_rating = [(r.slug, r.label, rating_counts.get(r.pk, 0)) for r in active_ratings()]

    start = (now - timedelta(weeks=weeks - 1)).date()
    start = start - timedelta(days=start.weekday())  # Monday
    week_counts = {
        (w.date() if hasattr(w, "date") else w): n
        for w, n in Verdict.objects.filter(
            claim__in=chosen,
            state=Verdict.State.APPROVED,
            decided_at__date__gte=start,
        )
        .order_by()
        .annotate(week=TruncWeek("decided_at"))
        .values_list("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    }
    per_week = []
    for i in range(weeks):
        monday = start + timedelta(weeks=i)
        per_week.append((monday, week_counts.get(monday, 0)))

    durations = [
        decided - filed
        for filed, decided in approved.filter(decided_at__isnull=False).values_list(
            "claim__created_at", "decided_at"
        )
    ]
    buckets = []
    lower = timedelta(0)
    for label, upper in TIME_TO_VERDICT_BUCKETS:
        n = sum(1 for d in durations if d >= lower and (upper is None or d < upper))
        buckets.append((label, n))
        lower = upper or lower
    return {
        "total": sum(by_state_counts.values()),
        "by_state": by_state,
        "by_rating": by_rating,
        "per_week": per_week,
        "time_to_verdict": buckets,
        "median_time_to_verdict": median(durations) if durations else None,
        "approved_count": len(durations),
    }
