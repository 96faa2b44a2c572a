"""Listens to the claim workflow: keeps assignments in step (lifecycle.py), tells people,
schedules assignment.

The claim workflow sends `claim_transitioned` inside its transaction, so everything written here
commits or rolls back with the claim's change; Celery jobs are only sent after commit.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from claims.models import Claim, Verdict
from claims.signals import claim_assigning, claim_transitioned, claims_filed, evidence_broken

from . import lifecycle
from .models import Notification
from .notifications import editors, notify, notify_each, snippet


def schedule_assignment_run() -> None:
    from .tasks import assign_open_claims

    transaction.on_commit(assign_open_claims.delay)


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "no deadline"


def _start_collected(collected: list) -> None:
    """The assignments and notifications of a scheduler batch's `assign` transitions, written
    at the batch's end (still in its transaction): a few statements for the whole batch."""
    started = lifecycle.start_many(collected)
    notify_each(
        [
            Notification(
                user=claim.assignee,
                kind="assigned",
                claim=claim,
                assignment=assignment,
                message=_assigned_message(claim, actor),
            )
            for (claim, actor, _reason), assignment in zip(collected, started, strict=True)
        ]
    )


@receiver(claim_transitioned, dispatch_uid="reviewers.on_claim_transition")
def on_claim_transition(sender, claim, transition, actor, from_state, to_state, details, **kw):
    from .services import batch_collector

    collected = batch_collector("assignments", _start_collected) if transition == "assign" else None
    if collected is not None:
        collected.append((claim, actor, _assignment_reason(details)))
        return
    ended, assignment = lifecycle.follow(
        claim, transition, actor, details, reason=_assignment_reason(details)
    )
    _tell_people(claim, transition, actor, details, ended, assignment)
    if to_state == Claim.State.OPEN and from_state != Claim.State.OPEN:
        schedule_assignment_run()


def _assignment_reason(details: dict) -> str:
    reason = details.get("reason") or ""
    if details.get("assign_anyway") and details.get("overridden"):
        reason = f"assigned anyway ({'; '.join(details['overridden'])}): {reason}"
    return reason[:300]


@receiver(claims_filed, dispatch_uid="reviewers.assign_new_claims")
def assign_new_claims(sender, article, claims, **kwargs):
    if any(c.state == Claim.State.OPEN for c in claims):
        schedule_assignment_run()


def _short(claim) -> str:
    return f"claim {claim.pk} (“{snippet(claim.text, 60)}”)"


def _assigned_message(claim, actor) -> str:
    who = actor.get_username() if actor is not None else "the scheduler"
    return f"You were assigned {_short(claim)} by {who}; due {_when(claim.due_at)}."


def _tell_people(claim, transition, actor, details, ended, assignment) -> None:
    who = actor.get_username() if actor is not None else "the scheduler"
    short = _short(claim)
    if assignment is not None:
        notify(
            [claim.assignee],
            kind="assigned",
            claim=claim,
            assignment=assignment,
            message=_assigned_message(claim, actor),
        )
    if ended is not None and transition in {"reassign", "unassign"}:
        notify(
            [ended.reviewer],
            kind="unassigned",
            claim=claim,
            message=f"{who} took {short} off your queue.",
        )
    if transition == "submit":
        notify(
            [u for u in editors() if u.pk != getattr(actor, "pk", None)],
            kind="submitted",
            claim=claim,
            message=f"{who} submitted a verdict on {short} for approval.",
        )
    elif transition in {"approve", "approve_vote", "return"}:
        verdict = Verdict.objects.filter(pk=details.get("verdict")).select_related("author").first()
        note = f" Note: {details['note']}" if details.get("note") else ""
        if transition == "approve":
            kind, what = "approved", "approved"
        elif transition == "return":
            kind, what = "returned", "returned"
        else:
            kind = "approval_vote"
            what = (
                f"approved ({details.get('approvals')} of {details.get('required')} "
                "approvals needed so far)"
            )
        if verdict is not None:
            notify(
                [verdict.author],
                kind=kind,
                claim=claim,
                message=f"{who} {what} your verdict on {short}.{note}",
            )
    elif transition == "decline":
        notify(
            editors(),
            kind="declined",
            claim=claim,
            message=f"{who} declined {short}: {details.get('reason', '')}",
        )
    elif transition == "expire":
        username = ended.reviewer.get_username() if ended is not None else details.get("from", "")
        notify(
            editors(),
            kind="expired",
            claim=claim,
            message=f"{short} was overdue with {username}; it is open again and goes to "
            "someone else.",
        )
        if ended is not None:
            notify(
                [ended.reviewer],
                kind="expired",
                claim=claim,
                message=f"{short} was overdue and has been taken off your queue.",
            )


@receiver(evidence_broken, dispatch_uid="reviewers.notify_evidence_broken")
def notify_evidence_broken(sender, evidence, claim, reason, message, **kwargs):
    notify(editors(), kind=f"evidence_{reason}", claim=claim, message=message)


@receiver(claim_assigning, dispatch_uid="reviewers.assignment_policy")
def apply_assignment_policy(
    sender, claim, assignee, actor, reason="", assign_anyway=False, **kwargs
) -> dict:
    """The whole assignment policy, for every assignment wherever it comes from; what an
    editor's "assign anyway" overrode is returned for the claim's history."""
    from .services import assignment_admit

    return assignment_admit(
        claim=claim,
        assignee=assignee,
        actor=actor,
        reason=reason,
        assign_anyway=assign_anyway,
        batch=kwargs.get("batch"),
    )
