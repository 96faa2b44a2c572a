"""The editors' overview's reads (claims.views.overview): each section's first rows, most
pressing first, and every section's total as SQL of one number, for the page to read all of
them (and the header's figures) in one query (claims.views.common.page_lookups).

Each section's rows are found first as ids, over indexes only, and then read whole for just
those few: reading every candidate's row and joins before the LIMIT cost the page 165 ms at
100,000 claims."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, FilteredRelation, Q, QuerySet

from .. import state_counts
from ..models import BROKEN_SOURCE, Article, Claim, Evidence
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
