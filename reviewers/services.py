"""Writes of the reviewers app: assignment runs, reminders, expiry, the sweeper."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from claims import workflow
from claims.models import Article, Claim

from . import policy
from .models import Assignment, ReviewerProfile
from .notifications import editors, notify

logger = logging.getLogger(__name__)

PRIORITY_ORDER = Case(
    When(priority="urgent", then=Value(0)),
    When(priority="high", then=Value(1)),
    When(priority="normal", then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def assign_open_claims(*, limit: int = 500) -> int:
    """Assign open claims, most urgent first. Safe with many workers at once: each claim is
    locked with SKIP LOCKED, the reviewer's profile is locked while their load is re-counted,
    and the one-active-assignment constraint backs both. Returns how many were assigned."""
    assigned, skipped = 0, set()
    while assigned < limit:
        with transaction.atomic():
            claim = (
                Claim.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(state=Claim.State.OPEN)
                .exclude(pk__in=skipped)
                .order_by(PRIORITY_ORDER, "created_at", "pk")
                .first()
            )
            if claim is None:
                break
            choice = policy.choose_reviewer(claim)
            if choice is None:
                skipped.add(claim.pk)
                continue
            profile = ReviewerProfile.objects.select_for_update().get(pk=choice.profile.pk)
            load = Assignment.objects.filter(
                reviewer_id=profile.user_id, state=Assignment.State.ACTIVE
            ).count()
            if load >= profile.capacity:
                continue  # someone else filled this reviewer meanwhile; rank again
            workflow.claim_assign(
                claim_id=claim.pk,
                assignee=profile.user,
                actor=None,
                reason=f"topic: {', '.join(choice.topic_matches) or 'none matched'}; "
                f"load {load}/{profile.capacity}",
            )
            assigned += 1
    return assigned


def remind_due(*, hours_before: int | None = None) -> int:
    """One reminder per assignment, some hours before its deadline; never two."""
    hours = hours_before if hours_before is not None else settings.REMINDER_HOURS_BEFORE
    now = timezone.now()
    sent = 0
    with transaction.atomic():
        due = (
            Assignment.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                state=Assignment.State.ACTIVE,
                reminder_sent_at__isnull=True,
                due_at__isnull=False,
                due_at__lte=now + timedelta(hours=hours),
            )
            .select_related("claim", "reviewer")
        )
        for assignment in due:
            assignment.reminder_sent_at = now
            assignment.save(update_fields=["reminder_sent_at"])
            when = "is overdue" if assignment.due_at <= now else "is due soon"
            notify(
                [assignment.reviewer],
                kind="reminder",
                claim=assignment.claim,
                message=f"Claim {assignment.claim_id} {when}: “{assignment.claim.text[:80]}”",
            )
            sent += 1
    return sent


def expire_overdue(*, grace_hours: int | None = None) -> int:
    """Assignments past deadline plus grace expire; the claim goes back to open."""
    grace = grace_hours if grace_hours is not None else settings.EXPIRY_GRACE_HOURS
    cutoff = timezone.now() - timedelta(hours=grace)
    expired = 0
    overdue = list(
        Claim.objects.filter(
            state__in=[Claim.State.ASSIGNED, Claim.State.IN_REVIEW], due_at__lt=cutoff
        ).values_list("pk", "assignee__username")
    )
    for claim_id, username in overdue:
        with transaction.atomic():
            try:
                claim = workflow.claim_expire(claim_id=claim_id)
            except workflow.TransitionNotAllowed:
                continue  # moved on meanwhile
            notify(
                editors(),
                kind="expired",
                claim=claim,
                message=f"Claim {claim_id} was overdue with {username}; it is open again.",
            )
            expired += 1
    return expired


def sweep_stuck(*, stale_minutes: int = 10) -> dict:
    """Re-dispatch work a lost task left behind. The database, not the broker, is the truth."""
    from claims.tasks import extract_claims

    cutoff = timezone.now() - timedelta(minutes=stale_minutes)
    stuck_articles = list(
        Article.objects.filter(
            status__in=[Article.Status.PENDING, Article.Status.PROCESSING], updated_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for article_id in stuck_articles:
        extract_claims.delay(article_id)
    assigned = assign_open_claims()
    return {"articles": len(stuck_articles), "assigned": assigned}
