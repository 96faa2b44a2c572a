"""Reads behind the API's endpoints, with their joins: each list costs the same few queries
whatever its page size. Scoping (who sees what) is decided here, not in the views."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from claims import permissions
from claims.models import Article, Claim, ClaimEvent, Evidence, Export, Verdict


def claims_list() -> QuerySet[Claim]:
    current = Verdict.objects.filter(is_current=True).select_related(
        "rating", "author", "decided_by"
    )
    return (
        Claim.objects.select_related("article", "assignee")
        .defer("embedding", "article__body")
        .prefetch_related(
            "topics", Prefetch("verdicts", queryset=current, to_attr="current_verdicts")
        )
    )


def claim_events(claim_id: int) -> QuerySet[ClaimEvent]:
    return ClaimEvent.objects.filter(claim_id=claim_id).select_related("actor")


def verdicts_visible_to(user) -> QuerySet[Verdict]:
    """permissions.can_view_verdict as a query: unfinished work (a draft, or a returned verdict
    a reassignment left behind) is its author's; editors also see the current draft of a claim
    they are not working on. Another fact-checker's drafts are never listed."""
    verdicts = Verdict.objects.select_related("claim", "rating", "author", "decided_by").defer(
        "claim__embedding", "claim__context"
    )
    unfinished = Q(state=Verdict.State.DRAFT) | Q(state=Verdict.State.RETURNED, is_current=False)
    visible = ~unfinished | Q(author=user)
    if permissions.is_editor(user):
        supervised = Q(is_current=True) & ~Q(claim__assignee=user)
        visible |= Q(state=Verdict.State.DRAFT) & supervised
        visible |= Q(state=Verdict.State.RETURNED, is_current=False) & ~Q(claim__assignee=user)
    return verdicts.filter(visible)


def articles_list() -> QuerySet[Article]:
    return (
        Article.objects.select_related("submitted_by")
        .annotate(claim_count=Count("claims"))
        .order_by("-created_at", "-pk")
    )


def evidence_of(claim_id: int) -> QuerySet[Evidence]:
    return Evidence.objects.filter(claim_id=claim_id).select_related("added_by")


def exports_of(user) -> QuerySet[Export]:
    return Export.objects.filter(requested_by=user).select_related("requested_by")
