"""The claim page: the claim, its article, history, verdicts, evidence and matches, with the
forms for the actions the person may take (claim_actions.py handles those posts)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from claims import permissions, selectors, workflow
from claims.forms import (
    AssignForm,
    DecisionForm,
    DeclineForm,
    DismissForm,
    EvidenceForm,
    PriorityForm,
    TopicsForm,
    VerdictForm,
)
from claims.models import Claim, Verdict

from .common import (
    forbidden,
    header_figures,
    keep_header_figures,
    model_choices_from,
    plain_model_choices,
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


def claim_or_404(claim_id: int) -> Claim:
    claim = selectors.claim_for_page(claim_id)
    if claim is None:
        raise Http404("There is no such claim.")
    return claim


def claim_and_extras(claim_id: int, request=None) -> tuple[Claim, selectors.ClaimPageExtras]:
    """The claim and everything its page shows beside it, in one query; with `request`, the
    header's figures for its user too (kept on the request for the header's context
    processor, which then asks no query of its own)."""
    parts, header = header_figures(request)
    page = selectors.claim_page(claim_id, parts)
    if page is None:
        raise Http404("There is no such claim.")
    read = page[1].figures
    if read is not None:
        keep_header_figures(request, {**header, **read})
    return page


@login_required
def claim_detail(request, pk: int):
    if not permissions.can_view_claims(request.user):
        return forbidden(request, "Only fact-checkers and editors can open claims.")
    claim, extras = claim_and_extras(pk, request)
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
