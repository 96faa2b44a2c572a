"""The claim state machine. Every change of a claim's state goes through a function here.

candidate -promote-> open -assign-> assigned -start-> in_review -submit-> submitted
    |                 ^                 |                 ^               |       |
    +--dismiss--------+-unassign/expire-+                 +----return-----+    approve
                                                                                  v
  dismissed (not check-worthy | opinion | duplicate)        approved -publish-> published

Each transition checks the actor's role, runs in one transaction, locks the claim row, checks the
expected version (a stale one is refused), bumps `version`, writes a ClaimEvent, announces the
change with the `claim_transitioned` signal (inside the transaction, so listeners' writes commit
or roll back with it) and leaves side effects to `transaction.on_commit`.

`actor=None` means the scheduler (a Celery job) acted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from . import permissions
from .errors import (
    InvalidInput,
    PermissionDenied,
    StaleVersion,
    TransitionNotAllowed,
    WorkflowError,
)
from .models import ApprovalVote, Claim, ClaimEvent, Rating, Verdict
from .signals import claim_assigning, claim_transitioned

S = Claim.State
SYSTEM = "the scheduler"


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the state does not change (an edit, a vote)
    who: str  # a sentence fragment for refusals: "an editor", "the assignee", ...
    allowed: Callable[[object, Claim], bool]


def _editor_can(check: Callable[[object], bool]) -> Callable[[object, Claim], bool]:
    return lambda actor, claim: actor is not None and check(actor)


def _system_or(check: Callable[[object], bool]) -> Callable[[object, Claim], bool]:
    return lambda actor, claim: actor is None or check(actor)


def _assignee(actor, claim: Claim) -> bool:
    return actor is not None and permissions.can_work_on(actor, claim)


def _system_only(actor, claim: Claim) -> bool:
    return actor is None


WORKING = Claim.WORKING_STATES

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "promote",
            frozenset({S.CANDIDATE}),
            S.OPEN,
            "an editor",
            _editor_can(permissions.can_triage),
        ),
        Transition(
            "dismiss",
            frozenset({S.CANDIDATE, S.OPEN}),
            S.DISMISSED,
            "an editor",
            _editor_can(permissions.can_triage),
        ),
        Transition(
            "restore",
            frozenset({S.DISMISSED}),
            S.CANDIDATE,
            "an editor",
            _editor_can(permissions.can_triage),
        ),
        Transition(
            "assign",
            frozenset({S.OPEN}),
            S.ASSIGNED,
            "an editor or the scheduler",
            _system_or(permissions.can_assign),
        ),
        Transition(
            "reassign", WORKING, S.ASSIGNED, "an editor", _editor_can(permissions.can_assign)
        ),
        Transition("unassign", WORKING, S.OPEN, "an editor", _editor_can(permissions.can_assign)),
        Transition("expire", WORKING, S.OPEN, "the scheduler", _system_only),
        Transition("decline", WORKING, S.OPEN, "the assignee", _assignee),
        Transition("start", frozenset({S.ASSIGNED}), S.IN_REVIEW, "the assignee", _assignee),
        Transition("save_draft", WORKING, S.IN_REVIEW, "the assignee", _assignee),
        Transition("submit", frozenset({S.IN_REVIEW}), S.SUBMITTED, "the assignee", _assignee),
        Transition(
            "return",
            frozenset({S.SUBMITTED}),
            S.IN_REVIEW,
            "an editor who did not write the verdict",
            _editor_can(permissions.is_editor),
        ),
        Transition(
            "approve",
            frozenset({S.SUBMITTED}),
            S.APPROVED,
            "an editor who did not write the verdict",
            _editor_can(permissions.is_editor),
        ),
        Transition(
            "publish",
            frozenset({S.APPROVED}),
            S.PUBLISHED,
            "an editor",
            _editor_can(permissions.can_publish),
        ),
        Transition(
            "set_priority",
            frozenset(S.values) - {S.PUBLISHED, S.DISMISSED},
            None,
            "an editor",
            _editor_can(permissions.can_triage),
        ),
        # Corrections of a published fact-check (claims/corrections.py): the claim stays
        # published while a corrected verdict waits for another editor.
        Transition(
            "correct",
            frozenset({S.PUBLISHED}),
            None,
            "an editor",
            _editor_can(permissions.can_publish),
        ),
        Transition(
            "approve_correction",
            frozenset({S.PUBLISHED}),
            None,
            "an editor who did not write the correction",
            _editor_can(permissions.is_editor),
        ),
        Transition(
            "return_correction",
            frozenset({S.PUBLISHED}),
            None,
            "an editor who did not write the correction",
            _editor_can(permissions.is_editor),
        ),
        Transition(
            "set_topics",
            frozenset(S.values),
            None,
            "an editor",
            _editor_can(permissions.can_triage),
        ),
    ]
}


# What each transition and recorded event is called in sentences people read (refusals, the
# conflict message): never the internal name ("save_draft").
IN_WORDS: dict[str, tuple[str, str]] = {
    # name: (what one does, "Cannot ..."; what someone did, "... at 12:00")
    "file": ("file", "filed it"),
    "promote": ("promote", "promoted it"),
    "dismiss": ("dismiss", "dismissed it"),
    "restore": ("restore", "restored it"),
    "assign": ("assign", "assigned it"),
    "reassign": ("reassign", "reassigned it"),
    "unassign": ("unassign", "unassigned it"),
    "expire": ("expire", "expired it"),
    "decline": ("decline", "declined it"),
    "start": ("start work on", "started work on it"),
    "save_draft": ("save a draft verdict on", "saved a draft verdict"),
    "submit": ("submit a verdict on", "submitted a verdict"),
    "return": ("return the verdict on", "returned the verdict"),
    "approve": ("approve the verdict on", "approved the verdict"),
    "approve_vote": ("approve the verdict on", "voted to approve the verdict"),
    "publish": ("publish", "published it"),
    "set_priority": ("set the priority of", "set its priority"),
    "set_topics": ("set the topics of", "set its topics"),
    "correct": ("correct", "proposed a correction"),
    "approve_correction": ("approve a correction of", "approved a correction"),
    "approve_correction_vote": ("approve a correction of", "voted to approve a correction"),
    "return_correction": ("return a correction of", "returned a correction"),
    "add_evidence": ("add evidence to", "added evidence"),
    "evidence_broken": ("check the evidence of", "found a broken evidence link"),
    "evidence_changed": ("check the evidence of", "found that evidence changed"),
}


def doing(name: str) -> str:
    """'save a draft verdict on': what a transition does, for "Cannot ... this claim"."""
    return IN_WORDS.get(name, (name.replace("_", " "), ""))[0]


def done(name: str) -> str:
    """'saved a draft verdict': what an event recorded, for "editor ... at 12:00"."""
    return IN_WORDS.get(name, ("", name.replace("_", " ")))[1]


def allowed_transitions(state: str) -> list[str]:
    """Names of the transitions that can start from `state` (whoever the actor)."""
    return [t.name for t in TRANSITIONS.values() if state in t.sources]


def available_transitions(claim: Claim, actor) -> list[str]:
    """What this actor may do to this claim now: the dashboard shows exactly these buttons."""
    return [
        t.name for t in TRANSITIONS.values() if claim.state in t.sources and t.allowed(actor, claim)
    ]


def _state_label(state: str) -> str:
    return S(state).label.lower()


def _actor_name(actor) -> str:
    return SYSTEM if actor is None else actor.get_username()


def _lock(claim_id: int) -> Claim:
    try:
        return (
            Claim.objects.select_for_update(of=("self",))
            .select_related("assignee")
            .get(pk=claim_id)
        )
    except Claim.DoesNotExist:
        raise InvalidInput(f"There is no claim with id {claim_id}.", code="not_found") from None


def check_version(claim: Claim, expected_version: int | None) -> None:
    """A write based on an older version of the claim is refused, saying what changed since."""
    if expected_version is not None and int(expected_version) != claim.version:
        last = claim.events.select_related("actor").first()
        change = (
            f" {_actor_name(last.actor)} {done(last.transition)} at "
            f"{timezone.localtime(last.created_at):%Y-%m-%d %H:%M}."
            if last
            else ""
        )
        raise StaleVersion(
            f"This claim was changed since you loaded it (you had version {expected_version}, "
            f"it is now version {claim.version}).{change} Reload the claim and try again; "
            "what you typed is still in the form."
        )


def _check(claim: Claim, name: str, actor, expected_version: int | None) -> Transition:
    transition = TRANSITIONS[name]
    check_version(claim, expected_version)
    if claim.state not in transition.sources:
        options = [action_words(option) for option in allowed_transitions(claim.state)]
        allowed = ", ".join(options) if options else "nothing"
        raise TransitionNotAllowed(
            f"Cannot {doing(name)} this claim: it is {_state_label(claim.state)}. "
            f"From {_state_label(claim.state)} it can: {allowed}."
        )
    if not transition.allowed(actor, claim):
        raise PermissionDenied(
            f"Only {transition.who} can {doing(name)} this claim; {_actor_name(actor)} cannot."
        )
    return transition


def action_words(name: str) -> str:
    words = doing(name)
    for tail in (" on", " of", " to"):
        words = words.removesuffix(tail)
    return words


def _record(claim: Claim, name: str, actor, from_state: str, details: dict) -> ClaimEvent:
    claim.version += 1
    claim.save()
    event = ClaimEvent.objects.create(
        claim=claim,
        actor=actor,
        transition=name,
        from_state=from_state,
        to_state=claim.state,
        details=details,
    )
    claim_transitioned.send(
        sender=Claim,
        claim=claim,
        transition=name,
        actor=actor,
        from_state=from_state,
        to_state=claim.state,
        details=details,
    )
    return event


def lock_claim(claim_id: int) -> Claim:
    """The claim, row-locked until the caller's transaction ends (inside transaction.atomic)."""
    return _lock(claim_id)


def record_change(claim: Claim, name: str, actor, details: dict) -> ClaimEvent:
    """A change that is not a state transition (evidence, a correction): the claim's version is
    bumped and a ClaimEvent written, like every transition. The caller holds the lock."""
    return _record(claim, name, actor, claim.state, details)


def _run(
    name: str,
    *,
    claim_id: int,
    actor,
    expected_version: int | None,
    change: Callable[[Claim], dict] | None = None,
) -> Claim:
    with transaction.atomic():
        claim = _lock(claim_id)
        transition = _check(claim, name, actor, expected_version)
        from_state = claim.state
        details = change(claim) if change else {}
        if transition.target is not None:
            claim.state = transition.target
        _record(claim, name, actor, from_state, details or {})
    return claim


def _deadline(priority: str, start: datetime | None = None) -> datetime:
    hours = settings.CLAIM_DEADLINE_HOURS.get(priority, settings.CLAIM_DEADLINE_HOURS["normal"])
    return (start or timezone.now()) + timedelta(hours=hours)


def _fact_checker(user_id) -> object:
    User = get_user_model()
    try:
        user = User.objects.get(pk=getattr(user_id, "pk", user_id), is_active=True)
    except User.DoesNotExist:
        raise InvalidInput("That person does not exist or is no longer active.") from None
    if not permissions.is_fact_checker(user):
        raise InvalidInput(f"{user.get_username()} is not a fact-checker and cannot be assigned.")
    return user


# --- Triage ---------------------------------------------------------------------------------


def claim_promote(*, claim_id: int, actor, expected_version: int | None = None) -> Claim:
    return _run("promote", claim_id=claim_id, actor=actor, expected_version=expected_version)


def claim_dismiss(
    *,
    claim_id: int,
    actor,
    reason: str,
    expected_version: int | None = None,
    duplicate_of_id: int | None = None,
) -> Claim:
    if reason not in Claim.DismissReason.values:
        choices = ", ".join(Claim.DismissReason.values)
        raise InvalidInput(f"Choose why the claim is dismissed: one of {choices}.")

    def change(claim: Claim) -> dict:
        claim.dismiss_reason = reason
        if duplicate_of_id:
            if int(duplicate_of_id) == claim.pk:
                raise InvalidInput("A claim cannot be a duplicate of itself.")
            if not Claim.objects.filter(pk=duplicate_of_id).exists():
                raise InvalidInput(f"There is no claim with id {duplicate_of_id} to point to.")
            claim.duplicate_of_id = duplicate_of_id
        return {"reason": reason, "duplicate_of": duplicate_of_id}

    return _run(
        "dismiss", claim_id=claim_id, actor=actor, expected_version=expected_version, change=change
    )


def claim_restore(*, claim_id: int, actor, expected_version: int | None = None) -> Claim:
    def change(claim: Claim) -> dict:
        previous, claim.dismiss_reason = claim.dismiss_reason, ""
        return {"was": previous}

    return _run(
        "restore", claim_id=claim_id, actor=actor, expected_version=expected_version, change=change
    )


def claim_set_priority(
    *, claim_id: int, actor, priority: str, expected_version: int | None = None
) -> Claim:
    if priority not in Claim.Priority.values:
        raise InvalidInput(f"Priority must be one of {', '.join(Claim.Priority.values)}.")

    def change(claim: Claim) -> dict:
        before, claim.priority = claim.priority, priority
        if claim.state in WORKING:
            claim.due_at = _deadline(priority)
        return {"from": before, "to": priority}

    return _run(
        "set_priority",
        claim_id=claim_id,
        actor=actor,
        expected_version=expected_version,
        change=change,
    )


def claim_set_topics(
    *, claim_id: int, actor, topic_ids: list[int], expected_version: int | None = None
) -> Claim:
    from .models import Topic

    topics = list(Topic.objects.filter(pk__in=topic_ids))
    if len(topics) != len(set(topic_ids)):
        raise InvalidInput("One of the chosen topics does not exist.")

    def change(claim: Claim) -> dict:
        claim.topics.set(topics)
        return {"topics": sorted(t.slug for t in topics)}

    return _run(
        "set_topics",
        claim_id=claim_id,
        actor=actor,
        expected_version=expected_version,
        change=change,
    )


# --- Assignment -----------------------------------------------------------------------------


def _assigning(
    claim: Claim, person, actor, reason: str, assign_anyway: bool, batch: dict | None = None
) -> dict:
    """Ask the listeners (the assignment policy) first: they refuse by raising; what they
    return (an override and what it overrode) is recorded in the event. `batch`: one dict for
    all the claims of one `claim_assign_many`, whose writes come after every claim was asked."""
    recorded: dict = {}
    for _listener, extra in claim_assigning.send(
        sender=Claim,
        claim=claim,
        assignee=person,
        actor=actor,
        reason=reason,
        assign_anyway=assign_anyway,
        batch=batch,
    ):
        recorded.update(extra or {})
    return recorded


def claim_assign(
    *,
    claim_id: int,
    assignee,
    actor,
    reason: str = "",
    due_at: datetime | None = None,
    expected_version: int | None = None,
    assign_anyway: bool = False,
) -> Claim:
    """Give an open claim to a fact-checker. `actor=None`: the scheduler did it.

    `assign_anyway`: an editor overrides the assignment policy; `reason` then says why."""
    person = _fact_checker(assignee)

    def change(claim: Claim) -> dict:
        policy = _assigning(claim, person, actor, reason, assign_anyway)
        claim.assignee = person
        claim.due_at = due_at or _deadline(claim.priority)
        return {
            "assignee": person.get_username(),
            "assignee_id": person.pk,
            "reason": reason,
            "due_at": claim.due_at.isoformat(),
            **policy,
        }

    return _run(
        "assign", claim_id=claim_id, actor=actor, expected_version=expected_version, change=change
    )


def claim_assign_many(
    *, assignments: list[tuple[int, object, str]]
) -> tuple[list[Claim], dict[int, WorkflowError]]:
    """`claim_assign` for many open claims at once, by the scheduler: (claim id, assignee,
    reason) each. Returns the claims assigned and, by claim id, why the others were not.

    Each claim passes what `claim_assign` checks (open, an active fact-checker, the
    `claim_assigning` policy) and gets what it gets (its deadline, a version bump, a ClaimEvent,
    `claim_transitioned`), in one transaction (the caller's, when it has one), in a few
    statements whatever the count: the claims are locked in one (a caller that took them with
    SKIP LOCKED already holds them), the assignees checked in one, the claims written in one and
    their events in one. A refused claim is left as it was; the others go on.
    """
    transition = TRANSITIONS["assign"]
    assigned: list[Claim] = []
    refused: dict[int, WorkflowError] = {}
    with transaction.atomic():
        ids = [claim_id for claim_id, _person, _reason in assignments]
        locked = Claim.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
        claims = {claim.pk: claim for claim in locked}
        people = {getattr(p, "pk", p) for _claim_id, p, _reason in assignments}
        fact_checkers = {
            user.pk: user
            for user in permissions.users_with_permission("claims.work_claim").filter(pk__in=people)
        }
        events: list[ClaimEvent] = []
        now = timezone.now()
        batch: dict = {}  # the listeners' tallies: what they admitted before it is written
        for claim_id, person, reason in assignments:
            claim = claims.get(claim_id)
            user = fact_checkers.get(getattr(person, "pk", person))
            try:
                if claim is None:
                    raise InvalidInput(f"There is no claim with id {claim_id}.", code="not_found")
                _check(claim, "assign", None, None)
                if user is None:
                    raise InvalidInput(
                        "That person does not exist, is no longer active or is not a "
                        "fact-checker, and cannot be assigned."
                    )
                policy = _assigning(claim, user, None, reason, False, batch)
            except WorkflowError as exc:
                refused[claim_id] = exc
                continue
            from_state = claim.state
            claim.assignee = user
            claim.due_at = _deadline(claim.priority, now)
            claim.state = transition.target
            claim.version += 1
            claim.updated_at = now
            details = {
                "assignee": user.get_username(),
                "assignee_id": user.pk,
                "reason": reason,
                "due_at": claim.due_at.isoformat(),
                **policy,
            }
            events.append(
                ClaimEvent(
                    claim=claim,
                    actor=None,
                    transition="assign",
                    from_state=from_state,
                    to_state=claim.state,
                    details=details,
                    created_at=now,
                )
            )
            assigned.append(claim)
        if assigned:
            # One UPDATE whose CASEs are as short as the batch allows: the deadline follows
            # the priority, the assignee is the same for the claims one person was given.
            by_assignee: dict[int, list[int]] = {}
            for claim in assigned:
                by_assignee.setdefault(claim.assignee_id, []).append(claim.pk)
            deadlines = {claim.priority: claim.due_at for claim in assigned}
            Claim.objects.filter(pk__in=[claim.pk for claim in assigned]).update(
                state=transition.target,
                assignee_id=Case(
                    *(When(pk__in=ids, then=Value(uid)) for uid, ids in by_assignee.items())
                ),
                due_at=Case(*(When(priority=p, then=Value(d)) for p, d in deadlines.items())),
                version=F("version") + 1,
                updated_at=now,
            )
            ClaimEvent.objects.bulk_create(events)
        for claim, event in zip(assigned, events, strict=True):
            claim_transitioned.send(
                sender=Claim,
                claim=claim,
                transition="assign",
                actor=None,
                from_state=event.from_state,
                to_state=claim.state,
                details=event.details,
            )
    return assigned, refused


def claim_reassign(
    *,
    claim_id: int,
    assignee,
    actor,
    reason: str = "",
    expected_version: int | None = None,
    assign_anyway: bool = False,
) -> Claim:
    person = _fact_checker(assignee)

    def change(claim: Claim) -> dict:
        if claim.assignee_id == person.pk:
            raise InvalidInput(f"The claim is already assigned to {person.get_username()}.")
        policy = _assigning(claim, person, actor, reason, assign_anyway)
        before = claim.assignee.get_username() if claim.assignee else ""
        claim.assignee = person
        claim.due_at = _deadline(claim.priority)
        return {
            "from": before,
            "assignee": person.get_username(),
            "assignee_id": person.pk,
            "reason": reason,
            "due_at": claim.due_at.isoformat(),
            **policy,
            **_retire_work(claim),
        }

    return _run(
        "reassign", claim_id=claim_id, actor=actor, expected_version=expected_version, change=change
    )


def _retire_work(claim: Claim) -> dict:
    """The verdict in progress belongs to whoever wrote it: when the claim leaves them, their
    draft (or returned verdict) stays in the history but stops being current, so the next
    assignee neither sees nor submits it and starts their own."""
    retired = list(
        claim.verdicts.current()
        .filter(state__in=[Verdict.State.DRAFT, Verdict.State.RETURNED])
        .values_list("pk", flat=True)
    )
    if not retired:
        return {}
    Verdict.objects.filter(pk__in=retired).update(is_current=False, updated_at=timezone.now())
    return {"retired_verdict": retired[0]}


def _release(claim: Claim) -> dict:
    before = claim.assignee.get_username() if claim.assignee else ""
    claim.assignee = None
    claim.due_at = None
    return {"from": before, **_retire_work(claim)}


def claim_unassign(*, claim_id: int, actor, expected_version: int | None = None) -> Claim:
    return _run(
        "unassign",
        claim_id=claim_id,
        actor=actor,
        expected_version=expected_version,
        change=_release,
    )


def claim_expire(*, claim_id: int, expected_version: int | None = None) -> Claim:
    return _run(
        "expire", claim_id=claim_id, actor=None, expected_version=expected_version, change=_release
    )


def claim_decline(
    *, claim_id: int, actor, reason: str, expected_version: int | None = None
) -> Claim:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why you decline this claim, so the editors can route it well.")

    def change(claim: Claim) -> dict:
        details = _release(claim)
        details["reason"] = reason
        return details

    return _run(
        "decline", claim_id=claim_id, actor=actor, expected_version=expected_version, change=change
    )


def claim_start(*, claim_id: int, actor, expected_version: int | None = None) -> Claim:
    return _run("start", claim_id=claim_id, actor=actor, expected_version=expected_version)


# --- Verdicts -------------------------------------------------------------------------------


def current_verdict(claim: Claim) -> Verdict | None:
    return claim.verdicts.current().select_related("rating", "author").first()


def _draft_values(
    rating_id: int | None, summary: str, rationale: str
) -> tuple[Rating | None, str, str]:
    rating = None
    if rating_id:
        rating = Rating.objects.filter(pk=rating_id, active=True).first()
        if rating is None:
            raise InvalidInput("Choose a rating from the scale.")
    summary = (summary or "").strip()
    if len(summary) > 300:
        raise InvalidInput("Keep the summary to one line of at most 300 characters.")
    return rating, summary, rationale or ""


def _missing(rating, summary: str) -> list[str]:
    return [
        name for name, value in (("a rating", rating), ("a one-line summary", summary)) if not value
    ]


def verdict_save_draft(
    *,
    claim_id: int,
    actor,
    rating_id: int | None,
    summary: str = "",
    rationale: str = "",
    expected_version: int | None = None,
) -> Verdict:
    """Create or update the assignee's own draft. Starts the claim if it was only assigned.

    A draft is its author's: anyone else's current draft or returned verdict (left by an
    assignment that went wrong) is retired, never continued.
    """
    rating, summary, rationale = _draft_values(rating_id, summary, rationale)
    if rating is None and not summary and not rationale.strip():
        raise InvalidInput(
            "The draft is empty: choose a rating or write a summary or the reasoning before "
            "saving it."
        )
    saved: dict[str, Verdict] = {}

    def change(claim: Claim) -> dict:
        details: dict = {}
        verdict = current_verdict(claim)
        if verdict is None or verdict.state != Verdict.State.DRAFT or verdict.author_id != actor.pk:
            if verdict is not None and verdict.author_id != actor.pk:
                details = _retire_work(claim)
            claim.verdicts.current().update(is_current=False)
            verdict = Verdict(claim=claim, author=actor, is_current=True)
        verdict.rating = rating
        verdict.summary = summary
        verdict.rationale = rationale
        verdict.save()
        saved["verdict"] = verdict
        return {"verdict": verdict.pk, **details}

    _run(
        "save_draft",
        claim_id=claim_id,
        actor=actor,
        expected_version=expected_version,
        change=change,
    )
    return saved["verdict"]


def _own_draft(claim: Claim, actor) -> Verdict:
    verdict = current_verdict(claim)
    if verdict is None or verdict.state != Verdict.State.DRAFT:
        raise InvalidInput("Write a verdict (rating and summary) before submitting it.")
    if verdict.author_id != getattr(actor, "pk", None):
        raise PermissionDenied(
            "The draft on this claim is not yours: only its author can submit it. Save your own "
            "draft, then submit that."
        )
    return verdict


def claim_submit(*, claim_id: int, actor, expected_version: int | None = None) -> Claim:
    """The assignee submits their own draft: nobody submits a verdict someone else wrote."""

    def change(claim: Claim) -> dict:
        verdict = _own_draft(claim, actor)
        missing = _missing(verdict.rating_id, verdict.summary)
        if missing:
            raise InvalidInput(f"The verdict needs {' and '.join(missing)} before it is submitted.")
        verdict.state = Verdict.State.SUBMITTED
        verdict.submitted_at = timezone.now()
        verdict.submitted_by = actor
        verdict.save(update_fields=["state", "submitted_at", "submitted_by", "updated_at"])
        return {"verdict": verdict.pk, "rating": verdict.rating.label}

    return _run(
        "submit", claim_id=claim_id, actor=actor, expected_version=expected_version, change=change
    )


def verdict_submit(
    *,
    claim_id: int,
    actor,
    rating_id: int | None,
    summary: str = "",
    rationale: str = "",
    expected_version: int | None = None,
) -> Claim:
    """Save the assignee's verdict, then submit it (the dashboard's "Submit").

    An empty verdict is refused before anything is written: it neither becomes a draft nor moves
    the claim to In review. A partly written one is kept as the draft (nothing typed is lost) and
    the submission is refused saying what is missing.
    """
    rating, summary, rationale = _draft_values(rating_id, summary, rationale)
    if rating is None and not summary:
        raise InvalidInput(
            "The verdict is empty: choose a rating and write a one-line summary before "
            "submitting it. Nothing was saved."
        )
    verdict_save_draft(
        claim_id=claim_id,
        actor=actor,
        rating_id=rating.pk if rating else None,
        summary=summary,
        rationale=rationale,
        expected_version=expected_version,
    )
    version = Claim.objects.values_list("version", flat=True).get(pk=claim_id)
    return claim_submit(claim_id=claim_id, actor=actor, expected_version=version)


def check_can_vote(verdict: Verdict, actor, *, what: str = "verdict") -> None:
    """Four eyes and one vote per editor, for verdicts and corrections alike."""
    if actor is not None and verdict.author_id == actor.pk:
        raise PermissionDenied(
            f"You wrote this {what}: another editor must approve or return it (four eyes)."
        )
    if actor is not None and verdict.submitted_by_id == actor.pk:
        raise PermissionDenied(
            f"You submitted this {what}: another editor must approve or return it (four eyes)."
        )
    if not permissions.can_approve(actor, verdict):
        raise PermissionDenied(f"Only an editor can approve or return this {what}.")
    if verdict.votes.filter(editor=actor).exists():
        raise InvalidInput(f"You have already voted on this {what}.")


def record_vote(verdict: Verdict, actor, *, decision: str, note: str) -> tuple[int, int]:
    """Keep an editor's vote. Returns (approvals so far, approvals required). A return decides
    at once; an approval decides when enough editors agree: then the verdict records who decided.
    """
    ApprovalVote.objects.create(
        verdict=verdict,
        editor=actor,
        verdict_author_id=verdict.author_id,
        decision=decision,
        note=note,
    )
    approvals = verdict.votes.filter(decision=ApprovalVote.Decision.APPROVE).count()
    required = max(1, settings.VERDICT_APPROVALS_REQUIRED)
    if decision == ApprovalVote.Decision.RETURN or approvals >= required:
        verdict.state = (
            Verdict.State.RETURNED
            if decision == ApprovalVote.Decision.RETURN
            else Verdict.State.APPROVED
        )
        verdict.decided_by = actor
        verdict.decision_note = note
        verdict.decided_at = timezone.now()
        verdict.save(
            update_fields=["state", "decided_by", "decision_note", "decided_at", "updated_at"]
        )
    return approvals, required


def _submitted_verdict(claim: Claim, actor) -> Verdict:
    verdict = current_verdict(claim)
    if verdict is None or verdict.state != Verdict.State.SUBMITTED:
        raise InvalidInput("There is no submitted verdict on this claim to decide on.")
    check_can_vote(verdict, actor)
    return verdict


def claim_approve(
    *, claim_id: int, actor, note: str = "", expected_version: int | None = None
) -> Claim:
    """Record an editor's approval; the claim is approved once enough editors agree."""
    with transaction.atomic():
        claim = _lock(claim_id)
        _check(claim, "approve", actor, expected_version)
        verdict = _submitted_verdict(claim, actor)
        approvals, required = record_vote(
            verdict, actor, decision=ApprovalVote.Decision.APPROVE, note=note or ""
        )
        details = {
            "verdict": verdict.pk,
            "note": note or "",
            "approvals": approvals,
            "required": required,
        }
        from_state = claim.state
        if verdict.state == Verdict.State.APPROVED:
            claim.state = S.APPROVED
            _record(claim, "approve", actor, from_state, details)
        else:
            _record(claim, "approve_vote", actor, from_state, details)
    return claim


def claim_return(*, claim_id: int, actor, note: str, expected_version: int | None = None) -> Claim:
    note = (note or "").strip()
    if not note:
        raise InvalidInput(
            "Say what the fact-checker should change: a returned verdict needs a note."
        )

    def change(claim: Claim) -> dict:
        verdict = _submitted_verdict(claim, actor)
        record_vote(verdict, actor, decision=ApprovalVote.Decision.RETURN, note=note)
        return {"verdict": verdict.pk, "note": note}

    return _run(
        "return", claim_id=claim_id, actor=actor, expected_version=expected_version, change=change
    )


def claim_publish(*, claim_id: int, actor, expected_version: int | None = None) -> Claim:
    def change(claim: Claim) -> dict:
        claim.published_at = timezone.now()
        return {"published_at": claim.published_at.isoformat()}

    return _run(
        "publish", claim_id=claim_id, actor=actor, expected_version=expected_version, change=change
    )
