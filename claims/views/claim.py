"""The claim page and every action taken on it.

Each action is a POST to /claims/<id>/<action>/ carrying the claim's version. Success: a message
and a redirect back (post/redirect/get). A workflow error or a field error: the page is rendered
again with the message and with the posted form still filled, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from claims import permissions, selectors, services, workflow
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
from claims.models import Claim, Verdict

from .common import (
    error_status,
    forbidden,
    model_choices_from,
    plain_model_choices,
    report_error,
)

S = Claim.State


def _verdict_initial(verdict: Verdict | None, returned: Verdict | None, user) -> dict:
    """The verdict form starts from the user's draft, or from the verdict an editor returned."""
    if verdict is None:
        verdict = returned if returned and returned.author_id == user.pk else None
    if verdict is None or verdict.author_id != user.pk:
        return {}
    if verdict.state not in {Verdict.State.DRAFT, Verdict.State.RETURNED}:
        return {}
    return {"rating": verdict.rating_id, "summary": verdict.summary, "rationale": verdict.rationale}


def field_html(field, label=None) -> SafeString:
    """One form field as templates/claims/_field.html writes it (label, widget, help, errors),
    every value through `conditional_escape` as the template's autoescaping does; without a
    template include, which costs more than the widget (held equal in
    tests/dashboard/test_claim_page_query.py)."""
    errors = field.errors
    shown = conditional_escape(label or field.label)
    required = ' <span class="muted">(required)</span>' if field.field.required else ""
    help_text = ""
    if field.help_text:
        help_text = (
            f'<p class="help" id="{conditional_escape(field.auto_id)}_helptext">'
            f"{conditional_escape(field.help_text)}</p>"
        )
    problems = "".join(
        f'<p class="field-error" role="alert">{conditional_escape(error)}</p>' for error in errors
    )
    return mark_safe(  # noqa: S308 (every value escaped above; the widget is Django's HTML)
        f'<div class="field{" has-error" if errors else ""}">\n'
        f'  <label for="{conditional_escape(field.id_for_label)}">{shown}{required}</label>\n'
        f"  {field}\n"
        f"  {help_text}\n"
        f"  {problems}\n"
        "</div>\n"
    )


class FieldsHTML:
    """`fields.<name>` in a template: that field of `form` as `field_html` writes it."""

    def __init__(self, form, labels: dict[str, str] | None = None):
        self.form, self.labels = form, labels or {}

    def __getitem__(self, name: str) -> SafeString:
        return field_html(self.form[name], self.labels.get(name))


class ActionURLs:
    """`action_urls.<action>` in a template: where the page's form for that action posts
    (`claims:claim_action`), from one reverse for all of them."""

    _SLOT = "x-action-x"  # a slug no action has, replaced by each action's

    def __init__(self, claim_id: int):
        self.pattern = reverse("claims:claim_action", args=[claim_id, self._SLOT])

    def __getitem__(self, action: str) -> str:
        return self.pattern.replace(self._SLOT, action)


def claim_context(
    request, claim: Claim, extras: selectors.ClaimPageExtras, bound: dict | None = None
) -> dict:
    """Everything the claim page shows (`claim` and `extras`: `selectors.claim_page`).
    `bound`: {slot: form} posted forms to show again."""
    user = request.user
    bound = bound or {}
    version = {"version": claim.version}
    verdict, returned = extras.verdict, extras.returned
    show_verdict = verdict is not None and permissions.can_view_verdict(user, verdict, claim)
    available = set(workflow.available_transitions(claim, user))
    can_work = permissions.can_work_on(user, claim)
    is_editor = permissions.is_editor(user)
    initial_verdict = _verdict_initial(verdict, returned, user)
    if returned is not None and returned.author_id != claim.assignee_id:
        returned = None  # the note was for someone who no longer has the claim

    def form(slot: str, shown: bool, cls, **extra):
        # A posted form comes back whatever the claim's state now: what was typed stays visible.
        if slot in bound:
            return bound[slot]
        if not shown:
            return None
        initial = {**version, **extra.pop("initial", {})}
        return cls(initial=initial, auto_id=f"id_{slot}_%s", **extra)

    decide_shown = (
        "approve" in available and verdict is not None and permissions.can_approve(user, verdict)
    )
    forms = {
        "evidence": form(
            "evidence",
            permissions.can_add_evidence(user, claim) and claim.state != S.PUBLISHED,
            EvidenceForm,
        ),
        "verdict": form(
            "verdict",
            can_work and claim.state in Claim.WORKING_STATES,
            VerdictForm,
            initial=initial_verdict,
        ),
        "decline": form("decline", "decline" in available, DeclineForm),
        "assign": form("assign", bool({"assign", "reassign"} & available), AssignForm),
        "decide": form("decide", decide_shown, DecisionForm),
        "dismiss": form("dismiss", "dismiss" in available, DismissForm),
        "priority": form(
            "priority",
            "set_priority" in available,
            PriorityForm,
            initial={"priority": claim.priority},
        ),
        "topics": form(
            "topics",
            "set_topics" in available,
            TopicsForm,
            initial={"topics": [t.pk for t in claim.topics.all()]},
        ),
    }
    model_choices_from(forms["topics"], "topics", extras.topics)
    for shown in forms.values():
        plain_model_choices(shown)
    fields = {
        slot: FieldsHTML(shown, {"reason": "Dismiss as"} if slot == "dismiss" else None)
        for slot, shown in forms.items()
        if shown is not None
    }
    already_voted = show_verdict and any(v.editor_id == user.pk for v in verdict.votes.all())
    return {
        "claim": claim,
        "article": claim.article,
        "history": extras.history,
        "evidence_list": extras.evidence,
        "matches": extras.matches,
        "verdict": verdict if show_verdict else None,
        "verdict_hidden": verdict is not None and not show_verdict,
        "returned": returned if returned and returned.decision_note else None,
        "assignment": extras.assignment,
        "forms": forms,
        "fields": fields,
        "action_urls": ActionURLs(claim.pk),
        "available": available,
        "can_work": can_work,
        "is_editor": is_editor,
        "already_voted": already_voted,
        "approvals_required": settings.VERDICT_APPROVALS_REQUIRED,
        "wrote_verdict": verdict is not None and verdict.author_id == user.pk,
    }


def _load(claim_id: int) -> Claim:
    claim = selectors.claim_for_page(claim_id)
    if claim is None:
        raise Http404("There is no such claim.")
    return claim


def _page(claim_id: int) -> tuple[Claim, selectors.ClaimPageExtras]:
    """The claim and everything its page shows beside it, in one query."""
    page = selectors.claim_page(claim_id)
    if page is None:
        raise Http404("There is no such claim.")
    return page


@login_required
def claim_detail(request, pk: int):
    if not permissions.can_view_claims(request.user):
        return forbidden(request, "Only fact-checkers and editors can open claims.")
    claim, extras = _page(pk)
    return render(request, "claims/claim_detail.html", claim_context(request, claim, extras))


@login_required
def verdict_detail(request, pk: int):
    verdict = (
        Verdict.objects.select_related("claim__article", "rating", "author", "decided_by")
        .prefetch_related("votes__editor")
        .filter(pk=pk)
        .first()
    )
    if verdict is None:
        raise Http404("There is no such verdict.")
    if not permissions.can_view_verdict(request.user, verdict):
        return forbidden(
            request,
            "This is another person's unfinished verdict: only its author sees it (and editors "
            "who are not working on the claim).",
        )
    return render(request, "claims/verdict_detail.html", {"verdict": verdict})


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
    claim = _load(pk)
    form = spec.form(request.POST, auto_id=f"id_{spec.slot}_%s")
    status, page = 400, None
    if form.is_valid():
        try:
            outcome = spec.run(request, claim, form)
        except WorkflowError as exc:
            report_error(request, exc)
            status = error_status(exc)
            # Show the claim as it is now, with the posted form still filled.
            page = _page(pk)
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
    claim, extras = page or _page(pk)
    context = claim_context(request, claim, extras, bound={spec.slot: form})
    return render(request, "claims/claim_detail.html", context, status=status)
