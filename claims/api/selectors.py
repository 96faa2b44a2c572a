"""Reads behind the API's endpoints, with their joins: each list costs the same few queries
whatever its page size. Scoping (who sees what) is decided here, not in the views."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from claims import permissions
from claims.models import Article, Claim, ClaimEvent, Evidence, Export, Verdict
from reviewers.models import Assignment, Notification, ReviewerProfile


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
    """A draft is seen by its author and the editors, never by another fact-checker."""
    verdicts = Verdict.objects.select_related("claim", "rating", "author", "decided_by").defer(
        "claim__embedding", "claim__context"
    )
    if permissions.is_editor(user):
        return verdicts
    return verdicts.filter(~Q(state=Verdict.State.DRAFT) | Q(author=user))


def articles_list() -> QuerySet[Article]:
    return (
        Article.objects.select_related("submitted_by")
        .annotate(claim_count=Count("claims"))
        .order_by("-created_at", "-pk")
    )


def evidence_of(claim_id: int) -> QuerySet[Evidence]:
    return Evidence.objects.filter(claim_id=claim_id).select_related("added_by")


def reviewers_visible_to(user) -> QuerySet[ReviewerProfile]:
    """Editors see everyone's workload; a fact-checker sees their own."""
    active = Q(user__assignments__state=Assignment.State.ACTIVE)
    profiles = (
        ReviewerProfile.objects.select_related("user")
        .prefetch_related("topics")
        .annotate(
            open_assignments=Count("user__assignments", filter=active),
            overdue_assignments=Count(
                "user__assignments",
                filter=active & Q(user__assignments__due_at__lt=timezone.now()),
            ),
        )
        .order_by("user__username")
    )
    if permissions.can_assign(user):
        return profiles
    return profiles.filter(user=user)


def assignments_visible_to(user) -> QuerySet[Assignment]:
    assignments = Assignment.objects.select_related("reviewer", "assigned_by")
    if permissions.can_assign(user):
        return assignments
    return assignments.filter(reviewer=user)


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def exports_of(user) -> QuerySet[Export]:
    return Export.objects.filter(requested_by=user).select_related("requested_by")
