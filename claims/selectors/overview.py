"""The editors' overview's reads (claims.views.overview): each section's first rows, most
pressing first, and every section's total as SQL of one number, for the page to read all of
them (and the header's figures) in one query (claims.views.common.page_lookups).

Each section's rows are found first as ids, over indexes only, and then read whole for just
those few: reading every candidate's row and joins before the LIMIT cost the page 165 ms at
100,000 claims."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, FilteredRelation, Q, QuerySet

from factcheck.db import prepared_cursor

from .. import state_counts
from ..models import BROKEN_SOURCE, Article, Claim, Evidence, Rating, Verdict
from ..statements import fill, slots_of
from .claim_page import json_builder, json_value, set_related
from .lists import count_sql, current_verdicts_prefetch


def _by_submission(claims: QuerySet) -> QuerySet:
    """`claims` with their current verdict's submission time, oldest first: the approvals
    queue's order (selectors.approvals_queue)."""
    return claims.annotate(
        current_verdict=FilteredRelation("verdicts", condition=Q(verdicts__is_current=True)),
        submitted_at=F("current_verdict__submitted_at"),
    ).order_by("submitted_at", "pk")


def waiting_verdicts(limit: int) -> QuerySet:
    """The first `limit` claims of the approvals queue (submitted, their current verdict
    submitted first) with that verdict (`current_verdicts`), its rating and author.

    Which claims: every submitted claim's id (index `claim_submitted`) with its current
    verdict's submission time (index `verdict_current_submitted_at`), neither table's rows
    read; then only those claims' rows. (The order lives in the verdicts table, so no one
    index holds it: the ids are sorted, not walked.)"""
    first = _by_submission(Claim.objects.filter(state=Claim.State.SUBMITTED)).values("pk")
    return (
        _by_submission(Claim.objects.filter(pk__in=first[:limit]))
        .only("text")
        .prefetch_related(current_verdicts_prefetch())
    )


def waiting_total_sql() -> tuple[str, list]:
    return state_counts.count_sql([Claim.State.SUBMITTED])


def overdue_work(now: datetime) -> QuerySet:
    """Assigned work past its deadline, the most overdue first, with the assignee."""
    return (
        Claim.objects.filter(state__in=Claim.WORKING_STATES, due_at__lt=now, assignee__isnull=False)
        .select_related("assignee")
        .only("text", "state", "due_at", "assignee")
        .order_by("due_at", "pk")
    )


def failing_published_sources() -> QuerySet:
    """Broken or changed sources of published fact-checks, the latest checked first, with
    their claim."""
    return (
        Evidence.objects.filter(BROKEN_SOURCE, claim__state=Claim.State.PUBLISHED)
        .select_related("claim")
        .order_by("-checked_at", "pk")
    )


def new_articles_since(since: datetime) -> QuerySet:
    return Article.objects.filter(created_at__gte=since)


def new_articles(since: datetime, limit: int) -> QuerySet:
    """The `limit` newest articles filed since `since`, each with how many claims it has, how
    many open and how many candidates: counted over those articles' claims only."""
    newest = ("-created_at", "-pk")
    first = new_articles_since(since).order_by(*newest).values("pk")[:limit]
    return (
        Article.objects.filter(pk__in=first)
        .only("title", "publisher", "status", "created_at")
        .annotate(
            claim_count=Count("claims"),
            open_count=Count("claims", filter=Q(claims__state=Claim.State.OPEN)),
            candidate_count=Count("claims", filter=Q(claims__state=Claim.State.CANDIDATE)),
        )
        .order_by(*newest)
    )


def overview_totals_sql(now: datetime, since: datetime) -> dict[str, tuple[str, list]]:
    """Each section's total (but the reviewers' stuck claims, which their tag counts) as SQL
    of one number: the verdicts waiting (from the counts kept a state), the overdue work, the
    failing sources (over the partial index) and the articles filed since `since`."""
    return {
        "waiting": waiting_total_sql(),
        "overdue": count_sql(overdue_work(now)),
        "failing": count_sql(failing_published_sources()),
        "articles": count_sql(new_articles_since(since)),
    }


# --- Every section's rows in one statement (PostgreSQL) --------------------------------------

# Stand-ins no request holds: each section's rows are compiled once with them (`_rows_sql`).
_NOW = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
_SINCE = datetime(1902, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)


def _ids_sql(queryset: QuerySet, limit: int) -> tuple[str, list]:
    return queryset.values("pk")[:limit].query.sql_with_params()


@functools.cache
def _rows_sql(limit: int) -> tuple[str, tuple] | None:
    """The four sections' first `limit` rows as four JSON arrays, in one statement: each
    section's rows found by its own queryset above (compiled once, with stand-ins for the
    times), then read with what the page shows of them, in that queryset's order. None when
    a stand-in did not come through (the page then reads each section on its own)."""
    waiting, waiting_params = _ids_sql(
        _by_submission(Claim.objects.filter(state=Claim.State.SUBMITTED)), limit
    )
    overdue, overdue_params = _ids_sql(overdue_work(_NOW), limit)
    failing, failing_params = _ids_sql(failing_published_sources(), limit)
    articles, articles_params = _ids_sql(
        new_articles_since(_SINCE).order_by("-created_at", "-pk"), limit
    )
    # In the order of their placeholders below.
    params = [
        *waiting_params,
        *overdue_params,
        *failing_params,
        Claim.State.OPEN,
        Claim.State.CANDIDATE,
        *articles_params,
    ]
    slots = slots_of(params, {"now": _NOW, "since": _SINCE})
    if slots is None:
        return None
    sql = f"""SELECT
  (SELECT coalesce(jsonb_agg(jsonb_build_array(
            c.id, c.text, v.submitted_at, v.id, r.id, r.label, u.id, u.username)
          ORDER BY v.submitted_at, c.id), '[]')
   FROM "claims_claim" c
   LEFT JOIN "claims_verdict" v ON v.claim_id = c.id AND v.is_current
   LEFT JOIN "claims_rating" r ON r.id = v.rating_id
   LEFT JOIN "auth_user" u ON u.id = v.author_id
   WHERE c.id IN ({waiting})),
  (SELECT coalesce(jsonb_agg(jsonb_build_array(
            c.id, c.text, c.state, c.due_at, u.id, u.username)
          ORDER BY c.due_at, c.id), '[]')
   FROM "claims_claim" c JOIN "auth_user" u ON u.id = c.assignee_id
   WHERE c.id IN ({overdue})),
  (SELECT coalesce(jsonb_agg(jsonb_build_array(to_jsonb(e), c.text)
          ORDER BY e.checked_at DESC, e.id), '[]')
   FROM "claims_evidence" e JOIN "claims_claim" c ON c.id = e.claim_id
   WHERE e.id IN ({failing})),
  (SELECT coalesce(jsonb_agg(jsonb_build_array(
            jsonb_build_object('id', a.id, 'title', a.title, 'publisher', a.publisher,
                               'status', a.status, 'created_at', a.created_at),
            (SELECT count(*) FROM "claims_claim" n WHERE n.article_id = a.id),
            (SELECT count(*) FROM "claims_claim" n
             WHERE n.article_id = a.id AND n.state = %s),
            (SELECT count(*) FROM "claims_claim" n
             WHERE n.article_id = a.id AND n.state = %s))
          ORDER BY a.created_at DESC, a.id DESC), '[]')
   FROM "claims_article" a
   WHERE a.id IN ({articles}))"""  # noqa: S608 (the querysets' SQL; every value a parameter)
    return sql, slots


def section_rows(now: datetime, since: datetime, limit: int) -> dict[str, list]:
    """Each section's first `limit` rows, as the page shows them: on PostgreSQL in one
    prepared statement (`_rows_sql`: through the ORM the four cost the page ~10 ms of
    building, compiling and making instances), elsewhere each section's queryset."""
    compiled = _rows_sql(limit) if connection.vendor == "postgresql" else None
    if compiled is None:
        return {
            "waiting": list(waiting_verdicts(limit)),
            "overdue": list(overdue_work(now)[:limit]),
            "failing": list(failing_published_sources()[:limit]),
            "articles": list(new_articles(since, limit)),
        }
    sql, slots = compiled
    with prepared_cursor() as cursor:
        cursor.execute(sql, fill(slots, {"now": now, "since": since}))
        waiting, overdue, failing, articles = (json_value(v) for v in cursor.fetchone())
    return {
        "waiting": [_waiting(*row) for row in waiting],
        "overdue": [_overdue(*row) for row in overdue],
        "failing": [_failing(*row) for row in failing],
        "articles": [_article(*row) for row in articles],
    }


def _moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _waiting(pk, text, submitted_at, verdict_id, rating_id, label, author_id, username):
    claim = json_builder(Claim)({"id": pk, "text": text})
    claim.submitted_at = _moment(submitted_at)
    claim.current_verdicts = []
    if verdict_id is not None:
        verdict = json_builder(Verdict)(
            {"id": verdict_id, "claim_id": pk, "rating_id": rating_id, "author_id": author_id}
        )
        rating = None
        if rating_id is not None:
            rating = json_builder(Rating)({"id": rating_id, "label": label})
        set_related(verdict, "rating", rating)
        set_related(
            verdict,
            "author",
            json_builder(get_user_model())({"id": author_id, "username": username}),
        )
        claim.current_verdicts.append(verdict)
    return claim


def _overdue(pk, text, state, due_at, assignee_id, username):
    claim = json_builder(Claim)(
        {"id": pk, "text": text, "state": state, "due_at": due_at, "assignee_id": assignee_id}
    )
    set_related(
        claim, "assignee", json_builder(get_user_model())({"id": assignee_id, "username": username})
    )
    return claim


def _failing(evidence_row, text):
    evidence = json_builder(Evidence)(evidence_row)
    set_related(evidence, "claim", json_builder(Claim)({"id": evidence.claim_id, "text": text}))
    return evidence


def _article(article_row, claim_count, open_count, candidate_count):
    article = json_builder(Article)(article_row)
    article.claim_count, article.open_count, article.candidate_count = (
        claim_count,
        open_count,
        candidate_count,
    )
    return article
