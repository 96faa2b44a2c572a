"""Writes of the reviewers app: assignment runs, manual control, deadlines, profiles.

The sweeper is reviewers/recovery.py.

Locks are always taken in one order: the claim first, then one reviewer profile. The scheduler
never waits for a claim (SKIP LOCKED), so two jobs, or a job and an editor, cannot deadlock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Q,
    Value,
    When,
    prefetch_related_objects,
)
from django.utils import timezone

from claims import permissions, workflow
from claims.errors import (
    InvalidInput,
    PermissionDenied,
    StaleVersion,
    TransitionNotAllowed,
    WorkflowError,
)
from claims.models import Claim, Topic

from . import notifications, policy
from .models import Assignment, ReviewerProfile
from .permissions import can_assign, can_manage_reviewers

logger = logging.getLogger(__name__)

PRIORITY_ORDER = Case(
    When(priority="urgent", then=Value(0)),
    When(priority="high", then=Value(1)),
    When(priority="normal", then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
BULK_MAX = 500


# --- The scheduler --------------------------------------------------------------------------


@dataclass
class AssignmentRun:
    assigned: int = 0
    left_open: set[int] = field(default_factory=set)  # nobody eligible (this run)
    nobody_free: bool = False  # every reviewer is full, away or unavailable
    pool: list[ReviewerProfile] | None = None  # read once per run; loads refreshed per claim


def _refresh_pool(run: AssignmentRun) -> list[ReviewerProfile]:
    """The reviewers who could take work, with their current loads (one light query per
    claim). Who is available is read once per run: the lock below checks it again."""
    if run.pool is None:
        run.pool = policy.profiles(only_possible=True)
    loads = dict(
        Assignment.objects.filter(
            state=Assignment.State.ACTIVE, reviewer_id__in=[p.user_id for p in run.pool]
        )
        .values_list("reviewer_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for profile in run.pool:
        profile.load = loads.get(profile.user_id, 0)
    run.pool = [p for p in run.pool if p.load < p.capacity]
    return run.pool


def _lock_reviewer(ranked: list[policy.Candidate]) -> tuple[policy.Candidate, int] | None:
    """Lock the best-ranked reviewer that still has room; (candidate, load before) or None.

    Another job assigning to the top choice holds its lock: take the next one rather than wait
    (they are close in rank, and waiting serialises every worker on one person). Only when all
    are busy wait for them, best first. Availability and load are checked again under the
    lock: the ranking was read without it.
    """
    today = timezone.localdate()
    for skip_locked in (True, False):
        for candidate in ranked:
            capacity = (
                ReviewerProfile.objects.select_for_update(skip_locked=skip_locked, of=("self",))
                .filter(Q(away_until__isnull=True) | Q(away_until__lt=today))
                .filter(pk=candidate.profile.pk, available=True, user__is_active=True)
                .values_list("capacity", flat=True)
                .first()
            )
            if capacity is None:
                continue
            load = Assignment.objects.filter(
                reviewer_id=candidate.profile.user_id, state=Assignment.State.ACTIVE
            ).count()
            if load < capacity:
                return candidate, load
    return None


def _assign_next(run: AssignmentRun) -> bool:
    """Assign the most pressing open claim no other job holds. False when there is none left."""
    with transaction.atomic():
        claim = (
            Claim.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("article")
            .filter(state=Claim.State.OPEN)
            .exclude(pk__in=run.left_open)
            .order_by(PRIORITY_ORDER, "created_at", "pk")
            .first()
        )
        if claim is None:
            return False
        pool = _refresh_pool(run)
        if not pool:
            run.nobody_free = True
            return False
        prefetch_related_objects([claim], "topics")
        facts = policy.facts_for([claim])[claim.pk]
        chosen = _lock_reviewer(policy.rank(facts, pool))
        if chosen is None:
            run.left_open.add(claim.pk)
            return True
        candidate, load = chosen
        topics = ", ".join(candidate.topic_matches) or "none matched"
        workflow.claim_assign(
            claim_id=claim.pk,
            assignee=candidate.profile.user,
            actor=None,
            reason=f"topic: {topics}; load {load}/{candidate.profile.capacity}",
        )
        run.assigned += 1
        return True


def assign_open_claims(*, limit: int = 200) -> AssignmentRun:
    """Assign open claims, most urgent first, each in its own short transaction.

    Safe with many workers at once: a claim is taken with SKIP LOCKED, the reviewer's profile is
    locked while their load is counted again, and the one-active-assignment constraint backs
    both. A claim nobody can take stays open; `policy.why_unassigned` says why. The emails of a
    run go out as one job at its end.
    """
    run = AssignmentRun()
    with notifications.emails_after():
        while run.assigned < limit and _assign_next(run):
            pass
    if run.assigned or run.left_open:
        logger.info("assignment run: %s assigned, %s left open", run.assigned, len(run.left_open))
    return run


# --- Manual control -------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkResult:
    claim_id: int
    ok: bool
    message: str


def _require_assigner(actor) -> None:
    if not can_assign(actor):
        name = actor.get_username() if actor is not None else "the scheduler"
        raise PermissionDenied(f"Only an editor can assign claims; {name} cannot.")


def claim_assign(
    *,
    claim_id: int,
    actor,
    reviewer_id: int | None = None,
    force: bool = False,
    expected_version: int | None = None,
) -> Claim:
    """An editor gives a claim to a reviewer (or, with no reviewer, to the policy's choice).

    An open claim is assigned, one being worked on is reassigned. The policy's rules apply:
    a refusal names them, and `force` overrides all but one: nobody checks their own article.
    """
    _require_assigner(actor)
    with transaction.atomic():
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("article")
            .filter(pk=claim_id)
            .first()
        )
        if claim is None:
            raise InvalidInput(f"There is no claim with id {claim_id}.", code="not_found")
        if claim.state not in {Claim.State.OPEN, *workflow.WORKING}:
            raise TransitionNotAllowed(
                f"Cannot assign this claim: it is {claim.get_state_display().lower()}. "
                "Only open claims and claims being worked on can be (re)assigned."
            )
        prefetch_related_objects([claim], "topics")
        facts = policy.facts_for([claim])[claim.pk]
        if reviewer_id is None:
            ranked = [
                c
                for c in policy.rank(facts, policy.profiles(only_possible=True))
                if c.profile.user_id != claim.assignee_id
            ]
            chosen = ranked[0] if ranked else None
            if chosen is None:
                raise InvalidInput(policy.why_unassigned_many([claim])[claim.pk])
            reviewer_id = chosen.profile.user_id
        profile = (
            ReviewerProfile.objects.select_for_update()
            .select_related("user")
            .prefetch_related("topics")
            .filter(user_id=reviewer_id)
            .first()
        )
        if profile is None:
            raise InvalidInput(
                "That person has no reviewer profile: add one (topics, languages, capacity) "
                "before assigning them claims."
            )
        profile.load = Assignment.objects.filter(
            reviewer_id=profile.user_id, state=Assignment.State.ACTIVE
        ).count()
        profile.is_fact_checker = permissions.is_fact_checker(profile.user)
        candidate = policy.judge(facts, [profile])[0]
        name = profile.user.get_username()
        refusals = list(candidate.refusals)
        if claim.assignee_id == profile.user_id:
            raise InvalidInput(f"The claim is already assigned to {name}.")
        if "wrote the article" in refusals:
            raise InvalidInput(
                f"{name} wrote the article this claim comes from: choose someone else."
            )
        if refusals and not force:
            raise InvalidInput(
                f"{name} {'; '.join(refusals)}. Choose someone else, or assign anyway."
            )
        reason = f"by {actor.get_username()}: {candidate.reason}"
        if refusals:
            reason += f" (assigned anyway: {'; '.join(refusals)})"
        if claim.state == Claim.State.OPEN:
            return workflow.claim_assign(
                claim_id=claim.pk,
                assignee=profile.user,
                actor=actor,
                reason=reason,
                expected_version=expected_version,
            )
        return workflow.claim_reassign(
            claim_id=claim.pk,
            assignee=profile.user,
            actor=actor,
            reason=reason,
            expected_version=expected_version,
        )


def claim_unassign(*, claim_id: int, actor, expected_version: int | None = None) -> Claim:
    """An editor takes a claim off its reviewer; it goes back to open and to someone else."""
    _require_assigner(actor)
    return workflow.claim_unassign(
        claim_id=claim_id, actor=actor, expected_version=expected_version
    )


def claim_decline(
    *, claim_id: int, actor, reason: str, expected_version: int | None = None
) -> Claim:
    """The assignee declines with a reason; the claim moves on to someone else (the policy
    never gives it back to them) and the editors are told."""
    return workflow.claim_decline(
        claim_id=claim_id, actor=actor, reason=reason, expected_version=expected_version
    )


def bulk_assign(
    *, claim_ids: list[int], actor, reviewer_id: int | None = None, force: bool = False
) -> list[BulkResult]:
    """Assign or reassign many claims; each on its own, so one refusal stops nothing else."""
    _require_assigner(actor)
    ids = list(dict.fromkeys(int(i) for i in claim_ids))
    if not ids:
        raise InvalidInput("Select at least one claim.")
    if len(ids) > BULK_MAX:
        raise InvalidInput(f"Select at most {BULK_MAX} claims at a time (you chose {len(ids)}).")
    results = []
    for claim_id in ids:
        try:
            claim = claim_assign(
                claim_id=claim_id, actor=actor, reviewer_id=reviewer_id, force=force
            )
        except WorkflowError as exc:
            results.append(BulkResult(claim_id, False, f"Claim {claim_id}: {exc.message}"))
        else:
            name = claim.assignee.get_username()
            results.append(BulkResult(claim_id, True, f"Claim {claim_id}: assigned to {name}."))
    return results


# --- Deadlines ------------------------------------------------------------------------------


def remind_due(*, hours_before: int | None = None, batch: int = 200) -> int:
    """One reminder per assignment, some hours before its deadline; never two: the assignment
    is marked in the same transaction, and a database constraint allows one reminder each."""
    hours = settings.REMINDER_HOURS_BEFORE if hours_before is None else hours_before
    sent = 0
    with notifications.emails_after():
        while True:
            sent_now = _remind_batch(hours, batch)
            sent += sent_now
            if sent_now < batch:
                return sent


def _remind_batch(hours: int, batch: int) -> int:
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Assignment.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                state=Assignment.State.ACTIVE,
                reminder_sent_at__isnull=True,
                due_at__isnull=False,
                due_at__lte=now + timedelta(hours=hours),
            )
            .select_related("claim", "reviewer")
            .order_by("due_at", "pk")[:batch]
        )
        for assignment in due:
            assignment.reminder_sent_at = now
            assignment.save(update_fields=["reminder_sent_at"])
            at = f"{timezone.localtime(assignment.due_at):%Y-%m-%d %H:%M}"
            late = assignment.due_at <= now
            when = f"is overdue (it was due {at})" if late else f"is due {at}"
            notifications.notify(
                [assignment.reviewer],
                kind="reminder",
                claim=assignment.claim,
                assignment=assignment,
                message=f"Reminder: claim {assignment.claim_id} {when}: "
                f"“{assignment.claim.text[:80]}”",
            )
    return len(due)


def expire_overdue(*, grace_hours: int | None = None) -> int:
    """Assignments past their deadline plus grace expire: the claim goes back to open, the
    scheduler gives it to someone else, and the editors are told (see receivers)."""
    grace = settings.EXPIRY_GRACE_HOURS if grace_hours is None else grace_hours
    cutoff = timezone.now() - timedelta(hours=grace)
    overdue = list(
        Assignment.objects.filter(state=Assignment.State.ACTIVE, due_at__lt=cutoff)
        .order_by("due_at")
        .values_list("claim_id", "claim__version")
    )
    expired = 0
    for claim_id, version in overdue:
        try:
            # The version read above: if anything changed since (a new deadline, a submit),
            # the claim is left alone.
            workflow.claim_expire(claim_id=claim_id, expected_version=version)
        except (StaleVersion, TransitionNotAllowed, InvalidInput):
            continue
        expired += 1
    return expired


# --- Reviewer profiles ----------------------------------------------------------------------


def profile_update(
    *,
    profile_id: int,
    actor,
    topic_ids: list[int],
    languages: str,
    capacity: int,
    available: bool,
    away_until: date | None,
) -> ReviewerProfile:
    """An editor changes what a reviewer checks and how much. Lowering capacity below the
    current load keeps the work they have and gives them nothing new until they are under it."""
    if not can_manage_reviewers(actor):
        raise PermissionDenied("Only an editor can change reviewer profiles.")
    codes = [c.strip().lower() for c in (languages or "").split(",") if c.strip()]
    if not codes:
        raise InvalidInput("List at least one language code, e.g. en or en,fr.")
    if not 0 <= int(capacity) <= 100:
        raise InvalidInput("Capacity is the number of open assignments at once: 0 to 100.")
    topics = list(Topic.objects.filter(pk__in=topic_ids))
    if len(topics) != len(set(topic_ids)):
        raise InvalidInput("One of the chosen topics does not exist.")
    with transaction.atomic():
        profile = ReviewerProfile.objects.select_for_update().get(pk=profile_id)
        profile.languages = ",".join(dict.fromkeys(codes))
        profile.capacity = int(capacity)
        profile.available = bool(available)
        profile.away_until = away_until
        profile.save(update_fields=["languages", "capacity", "available", "away_until"])
        profile.topics.set(topics)
    # More capacity or a return from leave can free open claims: try them now.
    transaction.on_commit(_schedule_run)
    return profile


def _schedule_run() -> None:
    from .tasks import assign_open_claims as task

    task.delay()
