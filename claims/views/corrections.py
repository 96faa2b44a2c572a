"""Corrections of published fact-checks (editors): the list waiting for a second editor, and
one claim's correction page (propose, approve, return). The rules are in claims/corrections.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from claims import corrections, permissions, workflow
from claims.errors import WorkflowError
from claims.forms import CorrectionDecisionForm, CorrectionForm
from claims.models import Claim, Verdict

from .common import forbidden


@login_required
@require_GET
def corrections_waiting(request):
    if not permissions.is_editor(request.user):
        return forbidden(request, "Only editors can correct published fact-checks.")
    waiting = (
        Verdict.objects.filter(correction_of__isnull=False, state=Verdict.State.SUBMITTED)
        .select_related("claim", "rating", "author", "correction_of__rating")
        .order_by("submitted_at")
    )
    return render(request, "claims/corrections.html", {"waiting": waiting})


@login_required
@require_http_methods(["GET", "POST"])
def correction(request, claim_id: int):
    """Propose a correction of a published verdict, or approve / return the one waiting."""
    if not permissions.is_editor(request.user):
        return forbidden(request, "Only editors can correct published fact-checks.")
    claim = get_object_or_404(Claim.objects.select_related("article"), pk=claim_id)
    current = workflow.current_verdict(claim)
    pending = corrections.pending_correction(claim)
    initial = {"version": claim.version}
    if current is not None:
        initial |= {"rating": current.rating_id, "summary": current.summary}
        initial["rationale"] = current.rationale
    propose_form = CorrectionForm(initial=initial)
    decision_form = CorrectionDecisionForm(initial={"version": claim.version})
    action = request.POST.get("action")
    status = 200
    if request.method == "POST":
        try:
            if action == "propose":
                propose_form = CorrectionForm(request.POST)
                if propose_form.is_valid():
                    data = propose_form.cleaned_data
                    corrections.correction_propose(
                        claim_id=claim.pk,
                        actor=request.user,
                        rating_id=data["rating"].pk,
                        summary=data["summary"],
                        rationale=data["rationale"],
                        note=data["note"],
                        expected_version=data["version"],
                    )
                    messages.success(request, "Correction sent to another editor for approval.")
                    return redirect("exports:correction", claim_id=claim.pk)
            elif action in ("approve", "return"):
                decision_form = CorrectionDecisionForm(request.POST)
                if decision_form.is_valid():
                    data = decision_form.cleaned_data
                    decide = (
                        corrections.correction_approve
                        if action == "approve"
                        else corrections.correction_return
                    )
                    decide(
                        claim_id=claim.pk,
                        actor=request.user,
                        note=data["note"],
                        expected_version=data["version"],
                    )
                    messages.success(
                        request,
                        "Correction approved." if action == "approve" else "Correction returned.",
                    )
                    return redirect("exports:correction", claim_id=claim.pk)
            else:
                propose_form.add_error(None, "Choose what to do: propose, approve or return.")
        except WorkflowError as error:
            target = propose_form if action == "propose" else decision_form
            target.add_error(None, error.message)
            status = error.http_status
        else:
            status = 400
    return render(
        request,
        "claims/correction.html",
        {
            "claim": claim,
            "current": current,
            "pending": pending,
            "propose_form": propose_form,
            "decision_form": decision_form,
            "is_author": pending is not None and pending.author_id == request.user.pk,
            "history": claim.verdicts.filter(correction_of__isnull=False)
            .select_related("rating", "author", "decided_by")
            .order_by("-created_at"),
        },
        status=status,
    )
