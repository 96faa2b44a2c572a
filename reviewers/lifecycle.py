"""The assignment lifecycle: a second, smaller state machine that follows the claim's.

An Assignment records who held a claim and how it ended. It never changes by itself: each
change is the answer to a claim transition (claims/workflow.py `TRANSITIONS`), applied by
`follow` from the reviewers app's `claim_transitioned` receiver, inside the workflow's
transaction (so it commits or rolls back with the claim).

    claim transition   active assignment becomes    then
    ----------------   ------------------------     ----------------------------------------
    assign             -                            a new active assignment (the assignee)
    reassign           ended ("Unassigned")         a new active assignment (the new assignee)
    unassign           ended ("Unassigned")         -
    decline            declined (+ the reason)      -
    expire             expired                      -
    approve            completed                    -
    set_priority       active (due date follows)    -

    active --unassign/reassign--> ended
    active --decline------------> declined
    active --expire-------------> expired
    active --approve------------> completed

Ended, declined, expired and completed are final. At most one assignment per claim is active
(the claim's assignee). Declined, expired and ended ones count against assigning the same
person that claim again (reviewers/policy.py `GAVE_UP`); completed ones count as done
work on the workload page. Other transitions (start, submit, return, publish...) leave the
active assignment as it is: a returned verdict goes back to the same assignee.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from .models import Assignment, ReviewerProfile

A = Assignment.State


@dataclass(frozen=True)
class Step:
    ends_as: str | None = None  # the state the active assignment ends in; None: it stays
    starts: bool = False  # a new active assignment for the claim's (new) assignee
    follows_due: bool = False  # the active assignment's due date follows the claim's


LIFECYCLE: dict[str, Step] = {
    "assign": Step(starts=True),
    "reassign": Step(ends_as=A.ENDED, starts=True),
    "unassign": Step(ends_as=A.ENDED),
    "decline": Step(ends_as=A.DECLINED),
    "expire": Step(ends_as=A.EXPIRED),
    "approve": Step(ends_as=A.COMPLETED),
    "set_priority": Step(follows_due=True),
}


def follow(
    claim, transition: str, actor, details: dict, *, reason: str = ""
) -> tuple[Assignment | None, Assignment | None]:
    """Apply the lifecycle to the claim's assignments for one claim transition; returns the
    assignment that ended and the one that started (either None)."""
    step = LIFECYCLE.get(transition)
    if step is None:
        return None, None
    now = timezone.now()
    ended = None
    if step.ends_as is not None:
        ended = (
            Assignment.objects.filter(claim=claim, state=A.ACTIVE)
            .select_related("reviewer")
            .first()
        )
        if ended is not None:
            ended.state = step.ends_as
            ended.ended_at = now
            if step.ends_as == A.DECLINED:
                ended.decline_reason = details.get("reason", "")
            ended.save(update_fields=["state", "ended_at", "decline_reason"])
    started = None
    if step.starts:
        started = Assignment.objects.create(
            claim=claim,
            reviewer_id=claim.assignee_id,
            assigned_by=actor,
            reason=reason,
            assigned_at=now,
            due_at=claim.due_at,
        )
        ReviewerProfile.objects.filter(user_id=claim.assignee_id).update(last_assigned_at=now)
    elif step.follows_due and claim.due_at is not None:
        Assignment.objects.filter(claim=claim, state=A.ACTIVE).update(due_at=claim.due_at)
    return ended, started


def start_many(assigned: list[tuple[object, object, str]]) -> list[Assignment]:
    """The `assign` step for many claims at once (claim, actor, reason each; the scheduler's
    batch): their active assignments in one statement, their reviewers' rotation time in one."""
    now = timezone.now()
    started = Assignment.objects.bulk_create(
        Assignment(
            claim=claim,
            reviewer_id=claim.assignee_id,
            assigned_by=actor,
            reason=reason,
            assigned_at=now,
            due_at=claim.due_at,
        )
        for claim, actor, reason in assigned
    )
    reviewers = {claim.assignee_id for claim, _actor, _reason in assigned}
    ReviewerProfile.objects.filter(user_id__in=reviewers).update(last_assigned_at=now)
    return started
