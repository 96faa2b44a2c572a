"""Reports pages: export downloads (streamed when small, a background job when large), the
progress page of a background export, and the ClaimReview import form. Views stay thin: the
services decide and the permissions module says who may."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from claims import corrections, permissions, workflow
from claims.errors import WorkflowError
from claims.importers import claimreview as importer
from claims.models import Claim, Export, Verdict

from . import selectors, services
from .formats import FORMATS, get_format
from .forms import ClaimReviewImportForm, CorrectionDecisionForm, CorrectionForm


def _refuse(request, message: str, status: int):
    return render(request, "exports/error.html", {"message": message}, status=status)


@login_required
@require_GET
def index(request):
    if not permissions.can_export(request.user):
        return _refuse(request, "Only editors and the data desk can export verdicts.", 403)
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "exports/index.html",
        {
            "formats": [(key, Export.Format(key).label) for key in FORMATS],
            "query": query.urlencode(),
            "filters": _described(request.GET),
            "exports": Export.objects.filter(requested_by=request.user)[:20],
            "can_import": permissions.is_editor(request.user),
        },
    )


def _described(filters) -> list[tuple[str, str]]:
    try:
        return selectors.describe_filters(filters)
    except WorkflowError:
        return []


@login_required
@require_GET
def export(request):
    """GET /reports/export/?format=csv|json|jsonl|claimreview|pdf&<the claims list's filters>"""
    if not permissions.can_export(request.user):
        return _refuse(request, "Only editors and the data desk can export verdicts.", 403)
    format_name = request.GET.get("format", "")
    try:
        fmt = get_format(format_name)
        queryset = services.export_queryset(
            user=request.user, filters=request.GET, format_name=fmt.name
        )
        count = queryset.count()
        services.check_size(fmt.name, count)
        if request.GET.get("background") == "1" or count > services.stream_row_limit(fmt.name):
            job = services.export_create(user=request.user, format=fmt.name, filters=request.GET)
            messages.info(
                request,
                f"{count:,} claims: the {Export.Format(fmt.name).label} export is being built in "
                "the background. This page shows its progress.",
            )
            return redirect("exports:status", export_id=job.pk)
    except WorkflowError as error:
        return _refuse(request, error.message, error.http_status)
    filename = services.export_filename(fmt.name, user=request.user, filters=request.GET)
    if fmt.binary:
        # A PDF cannot be streamed as it is built; small ones go through a temporary file.
        out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        services.write_export(fmt.name, queryset, out, filters=request.GET, user=request.user)
        out.seek(0)
        return FileResponse(
            out, as_attachment=True, filename=filename, content_type=fmt.content_type
        )
    response = StreamingHttpResponse(
        services.text_chunks(fmt.name, queryset, filters=request.GET, user=request.user),
        content_type=fmt.content_type,
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _visible_export(request, export_id: int) -> Export:
    job = Export.objects.select_related("requested_by").filter(pk=export_id).first()
    if job is None or not services.can_see_export(request.user, job):
        raise Http404("No such export.")
    return job


@login_required
@require_GET
def export_status(request, export_id: int):
    job = _visible_export(request, export_id)
    context = {
        "export": job,
        "finished": job.state in (Export.State.DONE, Export.State.FAILED),
        "filters": _described(job.filters),
    }
    if request.headers.get("HX-Request") or request.GET.get("fragment"):
        return render(request, "exports/_progress.html", context)
    return render(request, "exports/status.html", context)


@login_required
@require_GET
def export_download(request, export_id: int):
    job = _visible_export(request, export_id)
    if job.state != Export.State.DONE or not job.file:
        return _refuse(request, "This export is not ready yet: its page shows the progress.", 409)
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        return _refuse(request, "The file of this export is gone: export again.", 410)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=job.file.name.rsplit("/", 1)[-1],
        content_type=get_format(job.format).content_type,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_claimreview(request):
    if not permissions.is_editor(request.user):
        return _refuse(request, "Only editors can import past fact-checks.", 403)
    bound = request.method == "POST"
    form = ClaimReviewImportForm(request.POST if bound else None, request.FILES if bound else None)
    result = None
    if bound and form.is_valid():
        try:
            if form.cleaned_data["file"]:
                document = importer.parse_json(form.cleaned_data["file"].read())
            else:
                document = importer.parse_json(importer.fetch_url(form.cleaned_data["url"]))
            result = importer.import_claimreview(document=document)
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, result.summary())
    return render(
        request,
        "exports/import.html",
        {"form": form, "result": result},
        status=400 if bound and not form.is_valid() else 200,
    )


# --- Corrections of published fact-checks ---------------------------------------------------


@login_required
@require_GET
def corrections_waiting(request):
    if not permissions.is_editor(request.user):
        return _refuse(request, "Only editors can correct published fact-checks.", 403)
    waiting = (
        Verdict.objects.filter(correction_of__isnull=False, state=Verdict.State.SUBMITTED)
        .select_related("claim", "rating", "author", "correction_of__rating")
        .order_by("submitted_at")
    )
    return render(request, "exports/corrections.html", {"waiting": waiting})


@login_required
@require_http_methods(["GET", "POST"])
def correction(request, claim_id: int):
    """Propose a correction of a published verdict, or approve / return the one waiting."""
    if not permissions.is_editor(request.user):
        return _refuse(request, "Only editors can correct published fact-checks.", 403)
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
        "exports/correction.html",
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
