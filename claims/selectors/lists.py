"""The claim lists' reads: the listing's joins, a list page's rows as plain values (current
verdict and topic names in the same query), a fact-checker's queue, the approvals queue."""

from __future__ import annotations

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from .. import permissions
from ..expressions import ListSubquery
from ..models import (
    ApprovalVote,
    Article,
    Claim,
    Evidence,
    Rating,
    Topic,
    Verdict,
)

QUEUE_STATES = [*(s for s in Claim.State if s in Claim.WORKING_STATES), Claim.State.SUBMITTED]


def claims_base():
    return Claim.objects.select_related("article", "assignee").prefetch_related("topics")


def current_verdicts_prefetch() -> Prefetch:
    """Each claim's current verdict (0 or 1) as `claim.current_verdicts`, in one query."""
    return Prefetch(
        "verdicts",
        queryset=Verdict.objects.current().select_related("rating", "author"),
        to_attr="current_verdicts",
    )


def claims_listing() -> QuerySet:
    """Claims for lists: article, assignee, topics and current verdict's rating, no N+1."""
    return claims_base().prefetch_related(current_verdicts_prefetch())


# What a row of the claims list and of the queue shows, read as plain values (no model
# instances, no article body): the page's main query.
LIST_ROW_FIELDS = (
    "pk",
    "version",
    "text",
    "claimant",
    "state",
    "priority",
    "score",
    "due_at",
    "created_at",
    "article__title",
    "article__publisher",
    "assignee__username",
)


def list_rows(queryset: QuerySet, *, with_topics: bool = False) -> QuerySet:
    """The claims of `queryset` (filtered and ordered) as LIST_ROW_FIELDS values, with their
    current verdict's state and rating label (`verdict_state`, `verdict_rating`; None when
    there is none) read in the same query; with `with_topics`, their topic names by name too
    (`topic_names`: a page's 50 rows' topics in its own query cost one more round trip)."""
    current = Verdict.objects.current().filter(claim_id=OuterRef("pk")).order_by()
    extra = {}
    if with_topics:
        names = Claim.topics.through.objects.filter(claim_id=OuterRef("pk")).order_by(
            "topic__name", "topic_id"
        )
        extra["topic_names"] = ListSubquery(names, "topic__name")
    return queryset.annotate(
        verdict_state=Subquery(current.values("state")[:1]),
        verdict_rating=Subquery(current.values("rating__label")[:1]),
        **extra,
    ).values(*LIST_ROW_FIELDS, "verdict_state", "verdict_rating", *extra)


def queue_for(user, limit: int = 100, *, states=None, topics=None) -> QuerySet:
    """A fact-checker's claims, most pressing deadline first, as LIST_ROW_FIELDS values."""
    wanted = [s for s in (states or []) if s in QUEUE_STATES] or QUEUE_STATES
    queryset = Claim.objects.filter(assignee=user, state__in=wanted)
    if topics:
        queryset = queryset.filter(topics__slug__in=topics).distinct()
    return list_rows(queryset.order_by("due_at", "pk"))[:limit]


def recent_articles(limit: int = 20):
    return Article.objects.annotate(
        claim_count=Count("claims"), open_count=Count("claims", filter=Q(claims__state="open"))
    ).order_by("-created_at")[:limit]


# --- Editors' pages -------------------------------------------------------------------------


def approvals_queue() -> QuerySet:
    """Submitted verdicts, oldest first, with claim, article, evidence and votes.

    Ordered by the current verdict's submission through a join on that one verdict (at most
    one is current), not an aggregate over every verdict: no GROUP BY, and the pager's count
    is a plain count. The claim's vector and context and the article's text are not read."""
    return (
        Claim.objects.filter(state=Claim.State.SUBMITTED)
        .annotate(
            current_verdict=FilteredRelation("verdicts", condition=Q(verdicts__is_current=True)),
            submitted_at=F("current_verdict__submitted_at"),
        )
        .select_related("article", "assignee")
        .defer("embedding", "context", "article__body")
        .prefetch_related(
            "topics",
            Prefetch(
                "verdicts",
                queryset=Verdict.objects.current()
                .select_related("rating", "author")
                .prefetch_related(
                    Prefetch("votes", queryset=ApprovalVote.objects.select_related("editor"))
                ),
                to_attr="current_verdicts",
            ),
            Prefetch("evidence", queryset=Evidence.objects.order_by("created_at", "pk")),
        )
        .order_by("submitted_at", "pk")
    )


def approvals_waiting_count() -> int:
    return Claim.objects.filter(state=Claim.State.SUBMITTED).count()


# --- Choices ---------------------------------------------------------------------------------


def active_ratings() -> list[Rating]:
    return list(Rating.objects.filter(active=True, scale="default").order_by("position"))


def all_topics() -> list[Topic]:
    return list(Topic.objects.order_by("name"))


def fact_checkers():
    """Active people who can be given claims (the workflow's own test: the work_claim right)."""
    return permissions.users_with_permission("claims.work_claim").order_by("username")
