"""Reads behind the reviewer endpoints; who sees what is decided here, not in the views."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from claims import permissions

from .. import policy
from ..models import Assignment, Notification, ReviewerProfile


def reviewers_visible_to(user) -> QuerySet[ReviewerProfile]:
    """Editors see everyone's workload; a fact-checker sees their own."""
    active = policy.active("user__assignments")
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
