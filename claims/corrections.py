"""Corrections of published fact-checks.

An editor proposes a correction: a new Verdict (`correction_of` = the published one, with a
`correction_note` that readers will see). Another editor approves it (four eyes, the same number
of approvals as a verdict) or returns it with a note. On approval the new verdict becomes the
current one, the old one is kept as `superseded`, and the claim stays published: the public page
shows the dated note and the ClaimReview carries `dateModified`. Every step locks the claim,
checks the expected version, bumps it and writes a ClaimEvent: the three transitions are in
claims.workflow's table, and these functions use its helpers rather than repeating them.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from . import workflow
from .errors import InvalidInput
from .models import ApprovalVote, Claim, Rating, Verdict

S = Claim.State


def pending_correction(claim: Claim) -> Verdict | None:
    return (
        claim.verdicts.filter(correction_of__isnull=False, state=Verdict.State.SUBMITTED)
        .select_related("rating", "author", "correction_of")
        .first()
    )


def correction_propose(
    *,
    claim_id: int,
    actor,
    rating_id: int | None,
    summary: str,
    rationale: str,
    note: str,
    expected_version: int | None = None,
) -> Verdict:
    """An editor proposes corrected verdict text; it waits for another editor's approval."""
    summary = (summary or "").strip()
    note = (note or "").strip()
    rationale = rationale or ""
    if not note:
        raise InvalidInput("Say what was corrected and why: readers see this note, dated.")
    if not summary:
        raise InvalidInput("The corrected verdict needs a one-line summary.")
    if len(summary) > 300:
        raise InvalidInput("Keep the summary to one line of at most 300 characters.")
    rating = Rating.objects.filter(pk=rating_id, active=True).first() if rating_id else None
    if rating is None:
        raise InvalidInput("Choose a rating from the scale.")
    with transaction.atomic():
        claim = workflow._lock(claim_id)
        workflow._check(claim, "correct", actor, expected_version)
        current = workflow.current_verdict(claim)
        if current is None or current.state != Verdict.State.APPROVED:
            raise InvalidInput("This claim has no approved verdict to correct.")
        waiting = pending_correction(claim)
        if waiting is not None:
            raise InvalidInput(
                f"A correction by {waiting.author.get_username()} is already waiting for "
                "approval: approve or return it first."
            )
        if (rating.pk, summary, rationale) == (
            current.rating_id,
            current.summary,
            current.rationale,
        ):
            raise InvalidInput(
                "The correction changes nothing: edit the rating, summary or rationale."
            )
        correction = Verdict.objects.create(
            claim=claim,
            rating=rating,
            summary=summary,
            rationale=rationale,
            author=actor,
            state=Verdict.State.SUBMITTED,
            is_current=False,
            submitted_at=timezone.now(),
            correction_of=current,
            correction_note=note,
        )
        workflow._record(
            claim,
            "correct",
            actor,
            claim.state,
            {
                "verdict": correction.pk,
                "corrects": current.pk,
                "note": note,
                "rating": rating.label,
            },
        )
    return correction


def _deciding(claim: Claim, actor) -> Verdict:
    correction = pending_correction(claim)
    if correction is None:
        raise InvalidInput("There is no correction waiting for approval on this claim.")
    workflow.check_can_vote(correction, actor, what="correction")
    return correction


def correction_approve(
    *, claim_id: int, actor, note: str = "", expected_version: int | None = None
) -> Claim:
    """Record an editor's approval; with enough approvals the correction replaces the verdict."""
    with transaction.atomic():
        claim = workflow._lock(claim_id)
        workflow._check(claim, "approve_correction", actor, expected_version)
        correction = _deciding(claim, actor)
        approvals, required = workflow.record_vote(
            correction, actor, decision=ApprovalVote.Decision.APPROVE, note=note or ""
        )
        details = {
            "verdict": correction.pk,
            "note": note or "",
            "approvals": approvals,
            "required": required,
        }
        if approvals < required:
            workflow._record(claim, "approve_correction_vote", actor, claim.state, details)
            return claim
        old = correction.correction_of
        now = timezone.now()
        # The earlier text stays, superseded, and in the event: the history keeps every version.
        details["previous"] = {
            "verdict": old.pk,
            "rating": old.rating.label if old.rating else "",
            "summary": old.summary,
            "rationale": old.rationale,
        }
        details["correction_note"] = correction.correction_note
        Verdict.objects.filter(pk=old.pk).update(
            is_current=False, state=Verdict.State.SUPERSEDED, updated_at=now
        )
        correction.is_current = True
        correction.save(update_fields=["is_current", "updated_at"])
        workflow._record(claim, "approve_correction", actor, claim.state, details)
    return claim


def correction_return(
    *, claim_id: int, actor, note: str, expected_version: int | None = None
) -> Claim:
    """Another editor sends a correction back; the published verdict stays as it was."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput("Say what should change: a returned correction needs a note.")
    with transaction.atomic():
        claim = workflow._lock(claim_id)
        workflow._check(claim, "return_correction", actor, expected_version)
        correction = _deciding(claim, actor)
        workflow.record_vote(correction, actor, decision=ApprovalVote.Decision.RETURN, note=note)
        workflow._record(
            claim, "return_correction", actor, claim.state, {"verdict": correction.pk, "note": note}
        )
    return claim
