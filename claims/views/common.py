"""What every dashboard view shares: refusals as pages, workflow errors as messages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from claims.errors import WorkflowError


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """A 403 page that says why, in words (never a bare error)."""
    return render(request, "claims/forbidden.html", {"reason": message}, status=403)


def requires(check: Callable[[object], bool], message: str):
    """Login, then a permission from claims.permissions; refusal is a 403 page."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                return forbidden(request, message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go back to after an action: only this site's own paths."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def error_status(exc: WorkflowError) -> int:
    return int(getattr(exc, "http_status", 400) or 400)


def report_error(request: HttpRequest, exc: WorkflowError) -> None:
    messages.error(request, str(exc))


def summarise_bulk(
    request: HttpRequest, done: list[int], failed: list[tuple[int, str]], verb: str
) -> None:
    """One message for what worked, one line per claim that did not."""
    if done:
        noun = "claim" if len(done) == 1 else "claims"
        messages.success(request, f"{len(done)} {noun} {verb}.")
    for claim_id, reason in failed:
        messages.error(request, f"Claim {claim_id}: {reason}")
    if not done and not failed:
        messages.info(request, "Nothing was changed.")


def filter_errors(claim_filter) -> list[str]:
    out = []
    for name, errors in claim_filter.errors.items():
        label = claim_filter.form.fields[name].label if name in claim_filter.form.fields else name
        out.extend(f"{label or name}: {error}" for error in errors)
    return out


def tidy_filter_form(claim_filter) -> None:
    """Friendlier widgets for ClaimFilter's fields on a page (dates, "any", list heights)."""
    fields = claim_filter.form.fields
    for name in ("created_after", "created_before"):
        if name in fields:
            fields[name].widget.input_type = "date"
    if "overdue" in fields:
        fields["overdue"].widget.choices = [
            ("", "Any"),
            ("true", "Overdue"),
            ("false", "Not overdue"),
        ]
    for name in ("state", "rating", "topic", "priority"):
        if name in fields:
            fields[name].widget.attrs.setdefault("size", 4)
