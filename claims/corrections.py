"""Corrections of published fact-checks.

An editor proposes a correction: a new Verdict (`correction_of` = the published one, with a
`correction_note` that readers will see), and with it any sources to add (new Evidence rows whose
`correction` is the proposal) or to withdraw (their `withdrawn_by` is the proposal). This is the
only way a published fact-check's verdict or sources change: claims/evidence/services.py refuses
evidence on a published claim, and database triggers (claims/migrations/0004_integrity.py) refuse
edits in place. Another editor approves it (four eyes, the same number
of approvals as a verdict) or returns it with a note. On approval the new verdict becomes the
current one, the old one is kept as `superseded`, added sources join the record and withdrawn ones
leave it, and the claim stays published: the public page shows the dated note with the sources
added and withdrawn, and the ClaimReview carries `dateModified`. A returned correction's sources
never join the record; its withdrawals are undone. Every step locks the claim,
checks the expected version, bumps it and writes a ClaimEvent: the three transitions are in
claims.workflow's table, and these functions use its helpers rather than repeating them.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import workflow
from .errors import InvalidInput
from .evidence.services import attach_evidence, evidence_values
from .models import ApprovalVote, Claim, Evidence, Rating, Verdict

S = Claim.State


def pending_correction(claim: Claim) -> Verdict | None:
    return (
        claim.verdicts.filter(correction_of__isnull=False, state=Verdict.State.SUBMITTED)
        .select_related("rating", "author", "correction_of")
        .first()
    )


MAX_SOURCES = 50
APPLIED = [Verdict.State.APPROVED, Verdict.State.SUPERSEDED]


def sources_on_record(claim: Claim):
    """The claim's evidence as readers see it: before publication everything; after, what the
    approved corrections added and did not withdraw."""
    return (
        claim.evidence.filter(Q(correction__isnull=True) | Q(correction__state__in=APPLIED))
        .exclude(withdrawn_by__state__in=APPLIED)
        .order_by("created_at", "pk")
    )


def _withdrawable(claim: Claim, ids: list[int]) -> list[Evidence]:
    ids = list(dict.fromkeys(int(i) for i in ids))
    found = {e.pk: e for e in sources_on_record(claim).filter(pk__in=ids)}
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise InvalidInput(
            "These sources are not on this fact-check's record, so they cannot be withdrawn: "
            + ", ".join(str(i) for i in unknown)
            + "."
        )
    return [found[i] for i in ids]


def correction_propose(
    *,
    claim_id: int,
    actor,
    rating_id: int | None,
    summary: str,
    rationale: str,
    note: str,
    add_evidence: list[dict] | None = None,
    withdraw_evidence: list[int] | None = None,
    expected_version: int | None = None,
) -> Verdict:
    """An editor proposes corrected verdict text and/or sources to add or withdraw; it waits for
    another editor's approval."""
    add_evidence = list(add_evidence or [])
    withdraw_evidence = list(withdraw_evidence or [])
    if len(add_evidence) + len(withdraw_evidence) > MAX_SOURCES:
        raise InvalidInput(f"One correction changes at most {MAX_SOURCES} sources.")
    sources = [evidence_values(**values) for values in add_evidence]
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
        withdrawn = _withdrawable(claim, withdraw_evidence)
        if (
            not sources
            and not withdrawn
            and (rating.pk, summary, rationale)
            == (
                current.rating_id,
                current.summary,
                current.rationale,
            )
        ):
            raise InvalidInput(
                "The correction changes nothing: edit the rating, summary or rationale, or add "
                "or withdraw a source."
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
            submitted_by=actor,
            correction_of=current,
            correction_note=note,
        )
        added = [attach_evidence(claim, actor, values, correction=correction) for values in sources]
        Evidence.objects.filter(pk__in=[e.pk for e in withdrawn]).update(withdrawn_by=correction)
        details = {
            "verdict": correction.pk,
            "corrects": current.pk,
            "note": note,
            "rating": rating.label,
        }
        if added:
            details["add_evidence"] = [{"evidence": e.pk, "url": e.url} for e in added]
        if withdrawn:
            details["withdraw_evidence"] = [{"evidence": e.pk, "url": e.url} for e in withdrawn]
        workflow.record_change(claim, "correct", actor, details)
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
            workflow.record_change(claim, "approve_correction_vote", actor, details)
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
        added = list(correction.added_sources.values_list("pk", flat=True))
        withdrawn = list(correction.withdrawn_sources.values_list("pk", flat=True))
        if added:
            details["added_evidence"] = added
        if withdrawn:
            details["withdrawn_evidence"] = withdrawn
        Verdict.objects.filter(pk=old.pk).update(
            is_current=False, state=Verdict.State.SUPERSEDED, updated_at=now
        )
        correction.is_current = True
        correction.save(update_fields=["is_current", "updated_at"])
        workflow.record_change(claim, "approve_correction", actor, details)
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
        # Sources it would have withdrawn stay on the record; those it added never join it.
        kept = list(correction.withdrawn_sources.values_list("pk", flat=True))
        Evidence.objects.filter(pk__in=kept).update(withdrawn_by=None)
        details = {"verdict": correction.pk, "note": note}
        if kept:
            details["kept_evidence"] = kept
        workflow.record_change(claim, "return_correction", actor, details)
    return claim
