"""Export pages: export downloads (streamed when small, a background job when large) and the
progress page of a background export. Views stay thin: the services decide and the permissions
module says who may. (The ClaimReview import page is claims/views/imports.py; corrections are
claims/views/corrections.py.)"""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from claims import permissions
from claims.errors import WorkflowError
from claims.models import Export

from . import selectors, services
from .formats import FORMATS, get_format


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
