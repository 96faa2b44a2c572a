"""Editors' lists: all claims (filters, search, sort, bulk actions) and the approval queue."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from claims import permissions, selectors, state_counts, workflow
from claims.errors import StaleVersion, WorkflowError
from claims.filters import ClaimFilter
from claims.forms import BULK_CLAIM_ACTIONS, BulkForm, DecisionForm
from claims.models import Claim
from claims.selectors.approvals import approval_rows

from .bulk import apply_bulk
from .common import (
    cached_fragment,
    capped_count_sql,
    error_status,
    filter_bar,
    filter_errors,
    forbidden,
    page_lookups,
    requires,
    safe_next,
    summarise_bulk,
)
from .rows import approval_panels, claim_list_rows

PAGE_SIZE = 50
APPROVALS_PAGE_SIZE = 25
# The list counts at most this many matches: counting all of 100,000 claims on every page view
# costs more than reading the page itself. Past it the pager says "of 200+".
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 matches, from `count_from` when given: the same claims
    without the page's joins, columns and order (none of which changes how many there are).
    `total`, when the page knows it exactly (claims/state_counts.py), is shown instead and only
    capped for paging."""

    def __init__(self, object_list, per_page, *, count_from=None, total=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_from = count_from
        self.total = total

    @cached_property
    def count(self) -> int:
        if self.total is not None:
            return min(self.total, COUNT_CAP + 1)
        if self.count_from is not None:
            return self.count_from.order_by().values("pk")[: COUNT_CAP + 1].count()
        return self.object_list[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def shown_total(self) -> str:
        """ "103,800" where the total is known, "10,000+" past the cap, else the count."""
        if self.total is not None:
            return f"{self.total:,}"
        return f"{COUNT_CAP:,}+" if self.capped else f"{self.count:,}"


# A list asking only for these (each as the filter accepts it) is counted from the counts kept
# a state (claims/state_counts.py); any other filter counts its matches, up to the cap.
COUNTED_BY_STATE = frozenset({"page", "ordering", "state"})


def _count_figures(request, claim_filter, claims) -> dict[str, tuple[str, list]]:
    """The pager's figures for `page_lookups`: "total" (exact, from the kept counts) when the
    list is every claim or the claims in some states, else "count" (capped)."""
    asked = {name for name, values in request.GET.lists() if any(values)}
    if asked <= COUNTED_BY_STATE and (claim_filter is None or claim_filter.is_valid()):
        states = claim_filter.form.cleaned_data.get("state") if claim_filter else None
        return {"total": state_counts.count_sql(states or None)}
    return {"count": capped_count_sql(claims, COUNT_CAP + 1)}


def _can_bulk(user) -> bool:
    return permissions.can_assign(user) or permissions.can_triage(user)


def _bulk_bar(people: list[tuple[str, str]]) -> SafeString:
    """claims/_claim_bulk_bar.html: the bulk actions, rendered once per distinct list of
    fact-checkers (`filter_choices`' "user" list, read by this request)."""

    def render() -> str:
        bulk_form = BulkForm(actions=BULK_CLAIM_ACTIONS, claim_ids=[])
        assignee = bulk_form.fields["assignee"]
        assignee.widget.choices = [("", assignee.empty_label), *people]
        return render_to_string("claims/_claim_bulk_bar.html", {"bulk_form": bulk_form})

    return cached_fragment(("claim_bulk_bar", tuple(people)), render)


def _table_head(request, can_bulk: bool) -> SafeString:
    """claims/_claim_list_head.html: the column heads, whose sort links keep the request's
    query (but its page) in its order; rendered once per distinct query."""
    query = tuple((k, tuple(v)) for k, v in request.GET.lists() if k != "page")
    return cached_fragment(
        ("claim_list_head", request.path, can_bulk, query),
        lambda: render_to_string(
            "claims/_claim_list_head.html", {"can_bulk": can_bulk, "request": request}
        ),
    )


@requires(permissions.can_view_claims, "Only fact-checkers and editors can list claims.")
def claim_list(request):
    newest_first = Claim.objects.order_by(*selectors.NEWEST_FIRST)
    can_bulk = _can_bulk(request.user)
    if any(name != "page" for name in request.GET):
        claim_filter = ClaimFilter(request.GET, queryset=newest_first)
        claims = claim_filter.qs
        errors = filter_errors(claim_filter)
    else:
        # Nothing asked: every claim, newest first (what ClaimFilter gives for no filters);
        # its form is built only if the filter bar is not rendered yet.
        claim_filter, claims, errors = None, newest_first, []
    # The choices, the pager's count and the header's counts: one query.
    choices, figures = page_lookups(
        request,
        choices=("rating", "topic", "user") if can_bulk else ("rating", "topic"),
        figures=_count_figures(request, claim_filter, claims),
    )
    if claim_filter is None:
        rows = selectors.newest_claims_rows()  # compiled once: the page's most common shape
    else:
        rows = selectors.list_rows(claims, with_topics=True)
    paginator = CappedPaginator(rows, PAGE_SIZE, total=figures.get("total"))
    if "count" in figures:
        paginator.count = figures["count"]
    page = paginator.get_page(request.GET.get("page"))
    values = list(page.object_list)
    topics = {v["pk"]: v["topic_names"] for v in values if v["topic_names"]}
    is_editor = permissions.is_editor(request.user)
    return render(
        request,
        "claims/claim_list.html",
        {
            "filter_errors": errors,
            "filter_bar": filter_bar(
                request,
                claim_filter or (lambda: ClaimFilter(request.GET, queryset=newest_first)),
                choices,
                errors,
            ),
            "page": page,
            "table_head": _table_head(request, can_bulk),
            "claims": claim_list_rows(values, topics, is_editor=is_editor, can_bulk=can_bulk),
            "can_bulk": can_bulk,
            "is_editor": is_editor,
            "bulk_bar": _bulk_bar(choices["user"]) if can_bulk else "",
            "filtered": any(v for k, v in request.GET.lists() if k not in {"page", "ordering"}),
        },
    )


@require_POST
@requires(permissions.can_view_claims, "Only fact-checkers and editors can change claims.")
def claim_bulk(request):
    back = safe_next(request, reverse("claims:claims"))
    action = request.POST.get("action", "")
    needed = permissions.can_assign if action in {"assign", "reassign", "unassign"} else None
    needed = needed or permissions.can_triage
    if not needed(request.user):
        return forbidden(request, "Only editors can assign, prioritise or dismiss claims.")
    posted = [int(i) for i in request.POST.getlist("claims") if i.isdigit()]
    ids = list(Claim.objects.filter(pk__in=posted).values_list("pk", flat=True))
    form = BulkForm(request.POST, actions=BULK_CLAIM_ACTIONS, claim_ids=ids)
    if form.is_valid():
        done, failed, verb = apply_bulk(request.user, form)
        summarise_bulk(request, done, failed, verb)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(back)


# --- Approval queue -------------------------------------------------------------------------


@requires(permissions.is_editor, "Only editors approve verdicts.")
def approvals(request):
    status = 200
    bound: dict[int, DecisionForm] = {}
    if request.method == "POST":
        claim_id = int(request.POST.get("claim", "0") or 0)
        form = DecisionForm(request.POST)
        bound[claim_id] = form
        if form.is_valid():
            note, version = form.cleaned_data["note"], form.cleaned_data["version"]
            try:
                if request.POST.get("intent") == "return":
                    verdict = Claim.objects.get(pk=claim_id).verdicts.current()
                    author = verdict.values_list("author__username", flat=True).first()
                    workflow.claim_return(
                        claim_id=claim_id, actor=request.user, note=note, expected_version=version
                    )
                    messages.success(
                        request, f"Verdict on claim {claim_id} returned to {author} with your note."
                    )
                else:
                    claim = workflow.claim_approve(
                        claim_id=claim_id, actor=request.user, note=note, expected_version=version
                    )
                    messages.success(
                        request,
                        f"Verdict on claim {claim_id} approved."
                        if claim.state == Claim.State.APPROVED
                        else f"Your approval of claim {claim_id} is recorded; "
                        "it needs more editors' approval.",
                    )
                return redirect("claims:approvals")
            except Claim.DoesNotExist:
                messages.error(request, f"There is no claim with id {claim_id}.")
                status = 404
            except WorkflowError as exc:
                messages.error(request, str(exc))
                status = error_status(exc)
                if isinstance(exc, StaleVersion):
                    # Keep the note; carry the current version so a second send can succeed.
                    data = request.POST.copy()
                    data["version"] = str(
                        Claim.objects.values_list("version", flat=True).get(pk=claim_id)
                    )
                    bound[claim_id] = DecisionForm(data)
        else:
            status = 400
            messages.error(request, "Check the note and try again.")
    items = []
    # A page of the queue at a time: a busy desk's thousands of submitted verdicts are not one
    # page's work (or one page's cost).
    # The pager's total with the header's counts in one query, then the page with everything
    # its panels show in another (claims/selectors/approvals.py).
    _, figures = page_lookups(
        request, figures={"total": state_counts.count_sql([Claim.State.SUBMITTED.value])}
    )
    page = CappedPaginator(approval_rows(), APPROVALS_PAGE_SIZE, total=figures["total"]).get_page(
        request.GET.get("page")
    )
    for claim in page.object_list:
        verdict = claim.current_verdicts[0] if claim.current_verdicts else None
        votes = list(verdict.votes.all()) if verdict else []
        form = bound.get(claim.pk) or DecisionForm(initial={"version": claim.version})
        items.append(
            {
                "claim": claim,
                "verdict": verdict,
                "votes": votes,
                "approvals": sum(v.decision == "approve" for v in votes),
                "own": verdict is not None and verdict.author_id == request.user.pk,
                "voted": any(v.editor_id == request.user.pk for v in votes),
                "form": form,
            }
        )
    required = max(1, settings.VERDICT_APPROVALS_REQUIRED)
    # One masked token for the whole page: the panels' forms and the header's (the context's
    # `csrf_token`, which the view's value stands in for).
    token = get_token(request)
    return render(
        request,
        "claims/approvals.html",
        {
            # Written in Python (claims/views/rows.py): through the template engine the 25
            # panels cost a third of the page.
            "panels": approval_panels(items, approvals_required=required, csrf_token=token),
            "csrf_token": token,
            "page": page,
            "approvals_required": required,
        },
        status=status,
    )
