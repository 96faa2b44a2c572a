"""The ClaimReview import page (editors): past fact-checks from a file or an address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from claims import permissions
from claims.errors import WorkflowError
from claims.importers import claimreview as importer
from claims.importers.forms import ClaimReviewImportForm

from .common import forbidden


@login_required
@require_http_methods(["GET", "POST"])
def import_claimreview(request):
    if not permissions.is_editor(request.user):
        return forbidden(request, "Only editors can import past fact-checks.")
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
        "claims/import.html",
        {"form": form, "result": result},
        status=400 if bound and not form.is_valid() else 200,
    )
