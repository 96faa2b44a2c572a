"""Writes of the reviewers app: assignment runs, manual control, deadlines, profiles.

The sweeper is reviewers/recovery.py.

Locks are always taken in one order: the claim first, then one reviewer profile. The scheduler
never waits for a claim (SKIP LOCKED), so two jobs, or a job and an editor, cannot deadlock.
"""

from __future__ import annotations

import contextvars
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    IntegerField,
    Q,
    Value,
    When,
    prefetch_related_objects,
)
from django.utils import timezone

from claims import workflow
from claims.errors import (
    InvalidInput,
    PermissionDenied,
    StaleVersion,
    TransitionNotAllowed,
    WorkflowError,
)
from claims.models import Claim, Topic

from . import notifications, policy
from .models import CAPACITY_MAX, Assignment, ReviewerProfile
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

# What the scheduler already knows inside its transaction, so that the policy check every
# assignment passes (assignment_admit) does not load it again: reviewers it has locked, with
# their load read under the lock, and the claims' policy facts. Set only around one workflow
# call, inside the transaction that holds those locks.
_held: contextvars.ContextVar[dict | None] = contextvars.ContextVar("held", default=None)
_batch_facts: contextvars.ContextVar[dict | None] = contextvars.ContextVar("facts", default=None)


# Work that listeners hand to the end of a scheduler batch: name -> (items, flush).
_batch_end: contextvars.ContextVar[dict | None] = contextvars.ContextVar("batch_end", default=None)


def batch_collector(name: str, flush) -> list | None:
    """Inside a scheduler batch, the list a listener collects items in under `name`, written by
    `flush(items)` at the batch's end, still inside its transaction (receivers: the assignments
    and notifications of the batch in a few statements); None outside a batch."""
    pending = _batch_end.get()
    if pending is None:
        return None
    return pending.setdefault(name, ([], flush))[0]


@contextmanager
def _writes_at_batch_end():
    pending: dict = {}
    token = _batch_end.set(pending)
    try:
        yield
    finally:
        _batch_end.reset(token)
    for items, flush in pending.values():  # only when the block did not raise
        flush(items)


@contextmanager
def _known(held: dict, facts: dict):
    tokens = (_held.set(held), _batch_facts.set(facts))
    try:
        yield
    finally:
        _held.reset(tokens[0])
        _batch_facts.reset(tokens[1])


# --- The scheduler --------------------------------------------------------------------------

# Claims per transaction. A batch costs the same dozen queries whatever its size (none per
# claim, one per reviewer whose lock it could not take with the others), so larger is cheaper
# per claim. Measured with 4 worker processes, 50 reviewers (benchmarks/assignment.py): 8 per
# batch 32 claims/s, 32: 81/s, 64: 155/s, 128: 183/s; small batches fight over the same
# least-loaded reviewers and lock them one by one. The cost of size: an editor assigning to a
# reviewer (or touching a claim) that a batch holds waits until it commits (~0.3 s on a quiet
# machine).
BATCH = 100


@dataclass
class AssignmentRun:
    assigned: int = 0
    left_open: set[int] = field(default_factory=set)  # nobody eligible (this run)
    nobody_free: bool = False  # every reviewer is full, away or unavailable


def _lock_reviewer(
    ranked: list[policy.Candidate],
    loads: dict[int, int],
    held: dict,
    missed: set[int],
    *,
    may_wait: bool,
) -> tuple[policy.Candidate, int] | None:
    """Lock the best-ranked reviewer that still has room: (candidate, load before) or None.

    A reviewer this batch already holds is used as is: their lock is ours until commit, so the
    load kept in `loads` (read under the lock, plus what this batch gave them) is exact. Another
    one is locked with SKIP LOCKED (another job assigning to them holds the lock: take the next
    one rather than wait, since waiting serialises every worker on one person), and
    availability, capacity and load (the profile's counter) are read again under the lock: the
    ranking was read without it. One that could not be locked (`missed`) is not tried again in
    this batch. Only a batch that holds no reviewer yet may wait, so two jobs never wait for
    each other.
    """
    today = timezone.localdate()
    for skip_locked in (True, False) if may_wait else (True,):
        for candidate in ranked:
            profile = candidate.profile
            if profile.user_id in loads:
                if loads[profile.user_id] < profile.capacity:
                    return candidate, loads[profile.user_id]
                continue
            if skip_locked and profile.user_id in missed:
                continue
            row = (
                ReviewerProfile.objects.select_for_update(skip_locked=skip_locked, of=("self",))
                .filter(Q(away_until__isnull=True) | Q(away_until__lt=today))
                .filter(pk=profile.pk, available=True, user__is_active=True)
                .values_list("capacity", "load")
                .first()
            )
            if row is None:
                missed.add(profile.user_id)
                continue
            profile.capacity, profile.load = row
            held[profile.user_id] = (profile, profile.load)
            loads[profile.user_id] = profile.load
            if profile.load < profile.capacity:
                return candidate, profile.load
    return None


def _first_choices(claims: list[Claim], facts: dict, pool: list[ReviewerProfile], now) -> set:
    """The reviewers the batch would choose from the loads read at its start (no locks): they
    are locked together, in one statement, before the choices are made again under the locks."""
    before = [(p, p.load, p.last_assigned_at) for p in pool]
    wanted = set()
    for claim in claims:
        ranked = policy.rank(facts[claim.pk], [p for p in pool if p.load < p.capacity])
        if ranked:
            profile = ranked[0].profile
            wanted.add(profile.user_id)
            profile.load, profile.last_assigned_at = profile.load + 1, now
    for profile, load, last_assigned_at in before:
        profile.load, profile.last_assigned_at = load, last_assigned_at
    return wanted


def _lock_many(
    pool: list[ReviewerProfile], wanted: set, loads: dict, held: dict, missed: set
) -> None:
    """Lock the wanted reviewers no other job holds (SKIP LOCKED: never waits), reading their
    availability, capacity and load under the locks, in one statement; the others are
    `missed`."""
    today = timezone.localdate()
    rows = (
        ReviewerProfile.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(Q(away_until__isnull=True) | Q(away_until__lt=today))
        .filter(user_id__in=wanted, available=True, user__is_active=True)
        .values_list("user_id", "capacity", "load")
    )
    by_user = {p.user_id: p for p in pool}
    for user_id, capacity, load in rows:
        profile = by_user[user_id]
        profile.capacity, profile.load = capacity, load
        held[user_id] = (profile, load)
        loads[user_id] = load
    missed.update(wanted - loads.keys())


def _assign_batch(run: AssignmentRun, *, limit: int) -> bool:
    """Assign a batch of the most pressing open claims no other job holds, in one transaction.
    False when there is nothing more to do.

    The choices are made first (the policy's ranking, each chosen reviewer locked and their load
    read under the lock), then written by the workflow in one call, which asks the policy again
    for each claim (`assignment_admit`, from what this batch already holds) and writes the
    claims, events, assignments and notifications a statement each for the whole batch.
    """
    with transaction.atomic():
        claims = list(
            Claim.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("article")
            .filter(state=Claim.State.OPEN)
            .exclude(pk__in=run.left_open)
            .order_by(PRIORITY_ORDER, "created_at", "pk")[: min(BATCH, limit - run.assigned)]
        )
        if not claims:
            return False
        pool = policy.profiles(only_possible=True)
        if not pool:
            run.nobody_free = True
            return False
        prefetch_related_objects(claims, "topics")
        facts = policy.facts_for(claims)
        held: dict[int, tuple[ReviewerProfile, int]] = {}
        loads: dict[int, int] = {}  # reviewers this batch holds: their load with its choices
        missed: set[int] = set()  # reviewers another job holds (or no longer free)
        chosen: list[tuple[int, object, str]] = []
        now = timezone.now()
        _lock_many(pool, _first_choices(claims, facts, pool, now), loads, held, missed)
        for claim in claims:
            # Loads were read at the start of the batch: a reviewer who looks free is checked
            # again under the lock; the load of one this batch holds is exact.
            free = [p for p in pool if p.load < p.capacity]
            if not free:
                run.nobody_free = True
                break
            ranked = policy.rank(facts[claim.pk], free)
            picked = _lock_reviewer(ranked, loads, held, missed, may_wait=not held)
            if picked is None:
                if held and ranked:
                    break  # other jobs hold them: commit this batch, the next one may wait
                run.left_open.add(claim.pk)
                continue
            candidate, load = picked
            profile = candidate.profile
            topics = ", ".join(candidate.topic_matches) or "none matched"
            reason = f"topic: {topics}; load {load}/{profile.capacity}"
            chosen.append((claim.pk, profile.user, reason))
            loads[profile.user_id] = load + 1
            profile.load, profile.last_assigned_at = load + 1, now
        if chosen:
            # The policy check every assignment passes reuses the locks and facts above.
            with _known(held, facts), _writes_at_batch_end():
                assigned, refused = workflow.claim_assign_many(assignments=chosen)
            for claim_id, exc in refused.items():
                logger.warning("assignment run: claim %s left open: %s", claim_id, exc.message)
                run.left_open.add(claim_id)
            run.assigned += len(assigned)
    return not run.nobody_free


def assign_open_claims(*, limit: int = 200) -> AssignmentRun:
    """Assign open claims, most urgent first, in batches of short transactions.

    Safe with many workers at once: claims are taken with SKIP LOCKED, a reviewer's profile is
    locked while their load (its counter) is read again, and the one-active-assignment
    constraint backs both. Every assignment still goes through the workflow
    (`claim_assign_many`: its audit event, its Assignment and notification, and the policy check
    of `assignment_admit`); the batch only saves reading the same facts again and writes each
    kind of row in one statement. A claim nobody can take stays open; `policy.why_unassigned`
    says why. The emails of a run go out as one job at its end.
    """
    run = AssignmentRun()
    with notifications.emails_after():
        while run.assigned < limit and _assign_batch(run, limit=limit):
            pass
    if run.assigned or run.left_open or run.nobody_free:
        still_open = Claim.objects.filter(state=Claim.State.OPEN).count()
        logger.info(
            "assignment run: %s assigned, %s still open (%s)",
            run.assigned,
            still_open,
            "every reviewer is full, away or unavailable"
            if run.nobody_free
            else f"{len(run.left_open)} with nobody eligible",
        )
    return run


# --- The policy at every door ---------------------------------------------------------------


def assignment_admit(
    *,
    claim: Claim,
    assignee,
    actor,
    reason: str,
    assign_anyway: bool,
    batch: dict | None = None,
) -> dict:
    """The assignment policy applied to one assignment, whoever makes it.

    Called by the workflow's `claim_assigning` signal (receivers.py) inside the transaction that
    assigns, so no door can skip it: the scheduler, the claim page, the bulk bar, the API, the
    reviewers pages and the commands all pass here. The reviewer's profile is locked and their
    load read again under the lock (the counter the triggers keep), so two assignments at once
    never both take a last place.

    In a batch (`workflow.claim_assign_many`, `batch` given) the assignments are written after
    all of them were admitted: the load each reviewer was given so far in the batch is kept in
    `batch` and counted too.

    A refusal raises InvalidInput with the rules it broke. An editor's `assign_anyway` with a
    reason lifts every rule but authorship; what it lifted is returned, and the workflow records
    it in the ClaimEvent.
    """
    name = assignee.get_username()
    if assign_anyway:
        if actor is None:
            raise PermissionDenied(
                "Only an editor can assign anyway; the scheduler follows the policy."
            )
        if not (reason or "").strip():
            raise InvalidInput(
                f"Say why you assign the claim to {name} anyway: the reason is kept in the "
                "claim's history.",
                code="override_needs_reason",
            )
    profile, load = _lock_profile(assignee, claim)
    admitted = batch.setdefault("admitted_load", {}) if batch is not None else {}
    load += admitted.get(assignee.pk, 0)
    if profile is None:
        raise InvalidInput(
            f"{name} has no reviewer profile: add one (topics, languages, capacity) before "
            "assigning them claims.",
            code="no_reviewer_profile",
        )
    refusals = policy.refusals(profile, load, _facts(claim), timezone.localdate())
    if policy.AUTHORSHIP in refusals:
        raise InvalidInput(
            f"{name} wrote the article this claim comes from: choose someone else.",
            code="author_of_article",
        )
    if refusals and not assign_anyway:
        advice = " Choose someone else, or assign anyway with a reason." if actor else ""
        raise InvalidInput(f"{name} {'; '.join(refusals)}.{advice}", code="assignment_refused")
    admitted[assignee.pk] = admitted.get(assignee.pk, 0) + 1
    if assign_anyway:
        return {"assign_anyway": True, "overridden": refusals}
    return {}


def _lock_profile(user, claim: Claim) -> tuple[ReviewerProfile | None, int]:
    """The reviewer's profile, locked for this transaction, and their load read under the lock
    (the profile's counter, exact under it).

    A reassignment also ends the current assignee's assignment, whose trigger locks their
    profile: both are locked here, in id order, so that two reassignments crossing between the
    same two people wait for each other instead of deadlocking."""
    held = _held.get()
    if held is not None and user.pk in held:
        # The scheduler locked this reviewer in this transaction and read their load then.
        return held[user.pk]
    people = {user.pk, claim.assignee_id} - {None}
    locked = ReviewerProfile.objects.select_for_update(of=("self",)).filter(user_id__in=people)
    profile = next((p for p in locked.order_by("pk") if p.user_id == user.pk), None)
    if profile is None:
        return None, 0
    profile.user = user
    profile.is_fact_checker = True  # the workflow admits fact-checkers only
    return profile, profile.load


def _facts(claim: Claim) -> policy.ClaimFacts:
    batch = _batch_facts.get()
    if batch is not None and claim.pk in batch:
        return batch[claim.pk]
    return policy.facts_of(claim.pk)


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


def assign_to_reviewer(
    *,
    claim_id: int,
    actor,
    reviewer_id: int | None = None,
    assign_anyway: bool = False,
    reason: str = "",
    expected_version: int | None = None,
) -> Claim:
    """The reviewers pages' assign: give a claim to a named reviewer, or to the policy's best
    choice when none is named. An open claim is assigned, one being worked on is reassigned.

    A thin helper over `workflow.claim_assign` / `workflow.claim_reassign`, the one entry point
    of every assignment: the policy itself is applied there (see `assignment_admit`).
    """
    _require_assigner(actor)
    claim = (
        Claim.objects.select_related("article")
        .prefetch_related("topics")
        .filter(pk=claim_id)
        .first()
    )
    if claim is None:
        raise InvalidInput(f"There is no claim with id {claim_id}.", code="not_found")
    if claim.state not in {Claim.State.OPEN, *Claim.WORKING_STATES}:
        raise TransitionNotAllowed(
            f"Cannot assign this claim: it is {claim.get_state_display().lower()}. "
            "Only open claims and claims being worked on can be (re)assigned."
        )
    reason = (reason or "").strip()
    if reviewer_id is None:
        facts = policy.facts_for([claim])[claim.pk]
        ranked = [
            c
            for c in policy.rank(facts, policy.profiles(only_possible=True))
            if c.profile.user_id != claim.assignee_id
        ]
        if not ranked:
            raise InvalidInput(policy.why_unassigned_many([claim])[claim.pk])
        reviewer_id = ranked[0].profile.user_id
        if not assign_anyway:
            reason = reason or f"the policy's choice: {ranked[0].reason}"
    move = workflow.claim_assign if claim.state == Claim.State.OPEN else workflow.claim_reassign
    return move(
        claim_id=claim.pk,
        assignee=reviewer_id,
        actor=actor,
        # An override carries the editor's own reason: none is made up for it.
        reason=reason if assign_anyway else reason or f"by hand ({actor.get_username()})",
        expected_version=expected_version,
        assign_anyway=assign_anyway,
    )


def bulk_assign(
    *,
    claim_ids: list[int],
    actor,
    reviewer_id: int | None = None,
    assign_anyway: bool = False,
    reason: str = "",
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
            claim = assign_to_reviewer(
                claim_id=claim_id,
                actor=actor,
                reviewer_id=reviewer_id,
                assign_anyway=assign_anyway,
                reason=reason,
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
    while True:
        with notifications.emails_after():  # each batch's emails queued once it commits
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
                f"“{notifications.snippet(assignment.claim.text, 80)}”",
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
    if not 0 <= int(capacity) <= CAPACITY_MAX:
        raise InvalidInput(
            f"Capacity is the number of open assignments at once: 0 to {CAPACITY_MAX}."
        )
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
