"""Reviewer pages: workload, profile editing, notifications, assign / decline / bulk assign.

Views check permissions, validate with forms, call services and render; they never decide.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from claims import workflow
from claims.errors import WorkflowError
from claims.models import Claim

from . import notifications, policy, selectors, services
from .forms import AssignReviewerForm, BulkAssignForm, DeclineAssignmentForm, ReviewerProfileForm
from .models import ReviewerProfile
from .permissions import can_assign, can_decline, can_manage_reviewers


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _require(allowed: bool, sentence: str) -> None:
    if not allowed:
        raise PermissionDenied(sentence)


@login_required
def workload(request):
    _require(can_manage_reviewers(request.user), "Only editors can see the reviewers' workload.")
    return render(request, "reviewers/workload.html", selectors.workload_page())


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request, profile_id: int):
    _require(can_manage_reviewers(request.user), "Only editors can change reviewer profiles.")
    profile = get_object_or_404(ReviewerProfile.objects.select_related("user"), pk=profile_id)
    form = ReviewerProfileForm.for_profile(
        profile, data=request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_update(
                profile_id=profile.pk,
                actor=request.user,
                topic_ids=[t.pk for t in data["topics"]],
                languages=data["languages"],
                capacity=data["capacity"],
                available=data["available"],
                away_until=data["away_until"],
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Saved {profile.user.get_username()}'s reviewer profile.")
            return redirect("reviewers:workload")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "reviewers/profile_form.html", {"form": form, "profile": profile}, status=status
    )


@login_required
def notification_list(request):
    return render(
        request,
        "reviewers/notifications.html",
        {"notifications": notifications.for_user(request.user)},
    )


@login_required
@require_POST
def notifications_mark_read(request):
    ids = request.POST.getlist("ids")
    if ids and not all(i.isdigit() for i in ids):
        messages.error(request, "Those notifications could not be found.")
        return redirect("reviewers:notifications")
    count = notifications.mark_read(
        user=request.user, notification_ids=[int(i) for i in ids] if ids else None
    )
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect(_next_url(request, reverse("reviewers:notifications")))


def _claim(claim_id: int) -> Claim:
    return get_object_or_404(
        Claim.objects.select_related("article", "assignee").prefetch_related("topics"),
        pk=claim_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_assign(request, claim_id: int):
    _require(can_assign(request.user), "Only editors can assign claims.")
    claim = _claim(claim_id)
    form = AssignReviewerForm(
        data=request.POST if request.method == "POST" else None,
        initial={"version": claim.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.assign_to_reviewer(
                claim_id=claim.pk,
                actor=request.user,
                reviewer_id=form.cleaned_data["reviewer"],
                assign_anyway=form.cleaned_data["assign_anyway"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, f"Claim {claim.pk} assigned to {claim.assignee.get_username()}."
            )
            return redirect(_next_url(request, reverse("reviewers:workload")))
    facts = policy.facts_for([claim])[claim.pk]
    return render(
        request,
        "reviewers/assign.html",
        {
            "claim": claim,
            "form": form,
            "candidates": policy.judge(facts, policy.profiles(only_possible=False)),
            "next": _next_url(request, ""),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def claim_unassign(request, claim_id: int):
    _require(can_assign(request.user), "Only editors can unassign claims.")
    version = request.POST.get("version")
    try:
        claim = workflow.claim_unassign(
            claim_id=claim_id,
            actor=request.user,
            expected_version=int(version) if version and version.isdigit() else None,
        )
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Claim {claim.pk} is open again; it goes to someone else.")
    return redirect(_next_url(request, reverse("reviewers:workload")))


@login_required
@require_http_methods(["GET", "POST"])
def claim_decline(request, claim_id: int):
    claim = _claim(claim_id)
    _require(can_decline(request.user, claim), "Only the claim's assignee can decline it.")
    form = DeclineAssignmentForm(
        data=request.POST if request.method == "POST" else None,
        initial={"version": claim.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            workflow.claim_decline(
                claim_id=claim.pk,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Claim declined; it goes to someone else.")
            return redirect(_next_url(request, "/"))
    return render(
        request,
        "reviewers/decline.html",
        {"claim": claim, "form": form, "next": _next_url(request, "")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def bulk_assign(request):
    _require(can_assign(request.user), "Only editors can assign claims.")
    form = BulkAssignForm(data=request.POST if request.method == "POST" else None)
    results = None
    if request.method == "POST" and form.is_valid():
        try:
            results = services.bulk_assign(
                claim_ids=form.cleaned_data["claim_ids"],
                actor=request.user,
                reviewer_id=form.cleaned_data["reviewer"],
                assign_anyway=form.cleaned_data["assign_anyway"],
                reason=form.cleaned_data["reason"],
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            done = sum(r.ok for r in results)
            messages.success(request, f"Assigned {done} of {len(results)} claims.")
            for r in results:
                if not r.ok:
                    messages.error(request, r.message)
            if request.POST.get("next"):
                return redirect(_next_url(request, reverse("reviewers:bulk_assign")))
    return render(
        request,
        "reviewers/bulk_assign.html",
        {"form": form, "results": results},
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )
