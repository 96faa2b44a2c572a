"""Listens to the claim workflow: keeps assignments in step and schedules assignment runs."""

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from claims.models import Claim
from claims.signals import claim_transitioned, claims_filed, evidence_broken

from .models import Assignment, ReviewerProfile

ENDING = {
    "unassign": Assignment.State.ENDED,
    "expire": Assignment.State.EXPIRED,
    "decline": Assignment.State.DECLINED,
    "reassign": Assignment.State.ENDED,
    "approve": Assignment.State.COMPLETED,
}


def schedule_assignment_run() -> None:
    from .tasks import assign_open_claims

    transaction.on_commit(assign_open_claims.delay)


@receiver(claim_transitioned, dispatch_uid="reviewers.track_assignment")
def track_assignment(sender, claim, transition, actor, from_state, to_state, details, **kwargs):
    now = timezone.now()
    if transition in ENDING:
        update = {"state": ENDING[transition], "ended_at": now}
        if transition == "decline":
            update["decline_reason"] = details.get("reason", "")
        Assignment.objects.filter(claim=claim, state=Assignment.State.ACTIVE).update(**update)
    if transition in {"assign", "reassign"}:
        Assignment.objects.create(
            claim=claim,
            reviewer_id=claim.assignee_id,
            assigned_by=actor,
            reason=details.get("reason", "")[:300],
            assigned_at=now,
            due_at=claim.due_at,
        )
        ReviewerProfile.objects.filter(user_id=claim.assignee_id).update(last_assigned_at=now)
    if to_state == Claim.State.OPEN and from_state != Claim.State.OPEN:
        schedule_assignment_run()


@receiver(claims_filed, dispatch_uid="reviewers.assign_new_claims")
def assign_new_claims(sender, article, claims, **kwargs):
    if any(c.state == Claim.State.OPEN for c in claims):
        schedule_assignment_run()


@receiver(claim_transitioned, dispatch_uid="reviewers.notify_people")
def notify_people(sender, claim, transition, actor, from_state, to_state, details, **kwargs):
    from .notifications import editors, notify

    who = actor.get_username() if actor is not None else "the scheduler"
    if transition in {"assign", "reassign"} and claim.assignee is not None:
        due = timezone.localtime(claim.due_at).strftime("%Y-%m-%d %H:%M") if claim.due_at else "-"
        notify(
            [claim.assignee],
            kind="assigned",
            claim=claim,
            message=f"Claim {claim.pk} was assigned to you by {who}; due {due}.",
        )
    elif transition == "submit":
        notify(
            [u for u in editors() if u.pk != getattr(actor, "pk", None)],
            kind="submitted",
            claim=claim,
            message=f"{who} submitted a verdict on claim {claim.pk} for approval.",
        )
    elif transition in {"approve", "return"}:
        author = claim.verdicts.filter(pk=details.get("verdict")).select_related("author").first()
        note = f" Note: {details['note']}" if details.get("note") else ""
        verb = "approved" if transition == "approve" else "returned"
        if author is not None:
            notify(
                [author.author],
                kind=verb,
                claim=claim,
                message=f"{who} {verb} your verdict on claim {claim.pk}.{note}",
            )
    elif transition == "decline":
        notify(
            editors(),
            kind="declined",
            claim=claim,
            message=f"{who} declined claim {claim.pk}: {details.get('reason', '')}",
        )


@receiver(evidence_broken, dispatch_uid="reviewers.notify_evidence_broken")
def notify_evidence_broken(sender, evidence, claim, reason, message, **kwargs):
    from .notifications import editors, notify

    notify(editors(), kind=f"evidence_{reason}", claim=claim, message=message)
