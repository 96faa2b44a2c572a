"""Every action taken on the claim page.

Each action is a POST to /claims/<id>/<action>/ carrying the claim's version. Success: a message
and a redirect back (post/redirect/get). A workflow error or a field error: the page is rendered
again with the message and with the posted form still filled, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from claims import permissions, services, workflow
from claims.errors import StaleVersion, WorkflowError
from claims.forms import (
    AssignForm,
    DecisionForm,
    DeclineForm,
    DismissForm,
    EvidenceForm,
    PriorityForm,
    TopicsForm,
    VerdictForm,
    VersionedForm,
)
from claims.models import Claim

from .claim import claim_and_extras, claim_context, claim_or_404
from .common import (
    error_status,
    forbidden,
    report_error,
)

S = Claim.State


# --- Actions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    slot: str  # which form on the page
    form: type[VersionedForm]
    run: Callable  # (request, claim, form) -> message (or (message, redirect url))
    editor_only: Callable[[object], bool] | None = None
    anchor: str = ""


def _user_name(user) -> str:
    return user.get_username() if user else "nobody"


def _add_evidence(request, claim, form):
    data = form.cleaned_data
    services.evidence_add(
        claim_id=claim.pk,
        actor=request.user,
        url=data["url"],
        title=data["title"],
        publisher=data["publisher"],
        stance=data["stance"],
        excerpt=data["excerpt"],
        note=data["note"],
    )
    return "Evidence added. Its link will be checked in the background."


def _verdict(request, claim, form):
    data = form.cleaned_data
    rating = data.get("rating")
    values = {
        "claim_id": claim.pk,
        "actor": request.user,
        "rating_id": rating.pk if rating else None,
        "summary": data["summary"],
        "rationale": data["rationale"],
        "expected_version": data["version"],
    }
    if request.POST.get("intent") != "submit":
        workflow.verdict_save_draft(**values)
        return "Draft saved. Submit it when it is ready."
    # One step: an incomplete verdict is refused before anything is saved, and the form keeps
    # what was typed.
    workflow.verdict_submit(**values)
    return "Verdict submitted to the editors.", reverse("claims:home")


def _decline(request, claim, form):
    workflow.claim_decline(
        claim_id=claim.pk,
        actor=request.user,
        reason=form.cleaned_data["reason"],
        expected_version=form.cleaned_data["version"],
    )
    return "You declined the claim; the editors were told.", reverse("claims:home")


def _assign(request, claim, form):
    # The assignment policy is applied by the workflow (every door passes there); an override
    # needs the editor's own reason, so none is made up for them.
    person = form.cleaned_data["assignee"]
    anyway = form.cleaned_data["assign_anyway"]
    reason = form.cleaned_data["reason"].strip()
    common = {
        "claim_id": claim.pk,
        "assignee": person,
        "actor": request.user,
        "reason": reason if anyway else reason or f"by hand ({request.user.get_username()})",
        "expected_version": form.cleaned_data["version"],
        "assign_anyway": anyway,
    }
    done = "assigned" if claim.state == S.OPEN else "reassigned"
    if claim.state == S.OPEN:
        workflow.claim_assign(**common)
    else:
        workflow.claim_reassign(**common)
    return f"Claim {done} to {person.get_username()}{' anyway' if anyway else ''}."


def _unassign(request, claim, form):
    before = _user_name(claim.assignee)
    workflow.claim_unassign(
        claim_id=claim.pk, actor=request.user, expected_version=form.cleaned_data["version"]
    )
    return f"Claim taken from {before}; it is open again."


def _decide(request, claim, form):
    note = form.cleaned_data["note"]
    version = form.cleaned_data["version"]
    if request.POST.get("intent") == "return":
        verdict = workflow.current_verdict(claim)
        workflow.claim_return(
            claim_id=claim.pk, actor=request.user, note=note, expected_version=version
        )
        author = _user_name(verdict.author if verdict else None)
        return f"Verdict returned to {author} with your note."
    after = workflow.claim_approve(
        claim_id=claim.pk, actor=request.user, note=note, expected_version=version
    )
    if after.state == S.APPROVED:
        return "Verdict approved."
    return "Your approval is recorded; the verdict needs more editors' approval."


def _simple(fn, message, **fields):
    def run(request, claim, form):
        extra = {name: getter(form.cleaned_data) for name, getter in fields.items()}
        fn(
            claim_id=claim.pk,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            **extra,
        )
        return message(form.cleaned_data) if callable(message) else message

    return run


ACTIONS: dict[str, Action] = {
    "evidence": Action("evidence", EvidenceForm, _add_evidence, anchor="evidence"),
    "verdict": Action("verdict", VerdictForm, _verdict, anchor="verdict"),
    "decline": Action("decline", DeclineForm, _decline),
    "assign": Action("assign", AssignForm, _assign, permissions.can_assign),
    "unassign": Action("assign", VersionedForm, _unassign, permissions.can_assign),
    "decide": Action("decide", DecisionForm, _decide, permissions.is_editor),
    "start": Action(
        "verdict", VersionedForm, _simple(workflow.claim_start, "Work started: it is yours.")
    ),
    "publish": Action(
        "publish",
        VersionedForm,
        _simple(workflow.claim_publish, "Fact-check published."),
        permissions.can_publish,
    ),
    "promote": Action(
        "triage",
        VersionedForm,
        _simple(workflow.claim_promote, "Claim promoted: it is open for checking."),
        permissions.can_triage,
    ),
    "restore": Action(
        "triage",
        VersionedForm,
        _simple(workflow.claim_restore, "Claim restored as a candidate."),
        permissions.can_triage,
    ),
    "dismiss": Action(
        "dismiss",
        DismissForm,
        _simple(
            workflow.claim_dismiss,
            lambda d: f"Claim dismissed ({dict(Claim.DismissReason.choices)[d['reason']]}).",
            reason=lambda d: d["reason"],
        ),
        permissions.can_triage,
    ),
    "priority": Action(
        "priority",
        PriorityForm,
        _simple(
            workflow.claim_set_priority,
            lambda d: f"Priority set to {Claim.Priority(d['priority']).label.lower()}.",
            priority=lambda d: d["priority"],
        ),
        permissions.can_triage,
    ),
    "topics": Action(
        "topics",
        TopicsForm,
        _simple(
            workflow.claim_set_topics,
            lambda d: "Topics set: " + (", ".join(t.name for t in d["topics"]) or "none") + ".",
            topic_ids=lambda d: [t.pk for t in d["topics"]],
        ),
        permissions.can_triage,
    ),
}


@login_required
@require_POST
def claim_action(request, pk: int, action: str):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("No such action.")
    if not permissions.can_view_claims(request.user):
        return forbidden(request, "Only fact-checkers and editors can work on claims.")
    if spec.editor_only is not None and not spec.editor_only(request.user):
        return forbidden(request, "Only an editor can do that.")
    claim = claim_or_404(pk)
    form = spec.form(request.POST, auto_id=f"id_{spec.slot}_%s")
    status, page = 400, None
    if form.is_valid():
        try:
            outcome = spec.run(request, claim, form)
        except WorkflowError as exc:
            report_error(request, exc)
            status = error_status(exc)
            # Show the claim as it is now, with the posted form still filled.
            page = claim_and_extras(pk, request)
            claim = page[0]
            if isinstance(exc, StaleVersion):
                # Keep every word typed; carry the current version so that sending the form
                # again, after reading what changed, is a deliberate choice that can succeed.
                data = request.POST.copy()
                data["version"] = str(claim.version)
                form = spec.form(data, auto_id=f"id_{spec.slot}_%s")
                messages.info(
                    request,
                    "Your text is kept below. Check what changed in the history, then send it "
                    "again.",
                )
        else:
            message, target = outcome if isinstance(outcome, tuple) else (outcome, None)
            messages.success(request, message)
            url = target or reverse("claims:claim", args=[pk])
            if spec.anchor and not target:
                url += f"#{spec.anchor}"
            return redirect(url)
    else:
        messages.error(request, "Check the highlighted fields.")
        if "version" in form.errors:
            messages.error(request, "The form lost the claim's version: reload the page.")
        for error in form.non_field_errors():
            messages.error(request, error)
    claim, extras = page or claim_and_extras(pk, request)
    context = claim_context(request, claim, extras, bound={spec.slot: form})
    return render(request, "claims/claim_detail.html", context, status=status)
