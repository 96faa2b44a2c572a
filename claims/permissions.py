"""Who may do what. The dashboard, the API and the services all ask here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, QuerySet

if TYPE_CHECKING:
    from .models import Claim, Verdict

EDITORS = "Editors"
FACT_CHECKERS = "Fact-checkers"

# Permissions each group gets (created by a migration). Only the workflow's own permissions,
# which the services check: no raw model permission (add_verdict, add_evidence, change_claim...)
# that would let the admin or a script write governed rows around the services (issue #11).
FACT_CHECKER_PERMISSIONS = ["claims.work_claim"]
EDITOR_PERMISSIONS = FACT_CHECKER_PERMISSIONS + [
    "claims.triage_claim",
    "claims.assign_claim",
    "claims.approve_verdict",
    "claims.publish_claim",
    "claims.ingest_article",
    "claims.export_verdicts",
    "reviewers.change_reviewerprofile",
]


def holds_permission(perm: str, *, user: str = "") -> Q:
    """The one role query: a condition true for users who hold `perm` ("app_label.codename")
    through a group, their own permissions, or as superuser (what `user.has_perm` answers for an
    active user). `user` is the path from the queried model to the user ("" when querying users,
    "user" for a model with a `user` foreign key)."""
    app_label, codename = perm.split(".", 1)
    granted = Permission.objects.filter(codename=codename, content_type__app_label=app_label)
    ref = OuterRef(f"{user}_id" if user else "pk")
    return (
        Q(**{f"{user}__is_superuser" if user else "is_superuser": True})
        | Exists(granted.filter(group__user=ref))
        | Exists(granted.filter(user=ref))
    )


def users_with_permission(perm: str) -> QuerySet:
    """Active users who hold `perm` (see `holds_permission`)."""
    return get_user_model().objects.filter(is_active=True).filter(holds_permission(perm))


def load_permissions(user) -> set[str]:
    """Every permission `user` holds, read in one query (Django's ModelBackend reads its own
    and its groups' in two) and kept on the user object where ModelBackend keeps them, so each
    later check in the request (`user.has_perm` included) is answered without a query."""
    if not hasattr(user, "_perm_cache"):
        if user.is_superuser:
            granted = Permission.objects.all()
        else:
            granted = Permission.objects.filter(Q(group__user=user) | Q(user=user))
        user._perm_cache = {
            f"{app_label}.{codename}"
            for app_label, codename in granted.values_list(
                "content_type__app_label", "codename"
            ).order_by()
        }
    return user._perm_cache


def _has(user, perm: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    load_permissions(user)
    return user.has_perm(perm)


def is_editor(user) -> bool:
    return _has(user, "claims.approve_verdict")


def is_fact_checker(user) -> bool:
    return _has(user, "claims.work_claim")


def can_triage(user) -> bool:
    return _has(user, "claims.triage_claim")


def can_assign(user) -> bool:
    return _has(user, "claims.assign_claim")


def can_ingest(user) -> bool:
    return _has(user, "claims.ingest_article")


def can_export(user) -> bool:
    return _has(user, "claims.export_verdicts")


def can_publish(user) -> bool:
    return _has(user, "claims.publish_claim")


def can_view_claims(user) -> bool:
    return is_fact_checker(user) or is_editor(user)


def can_work_on(user, claim: Claim) -> bool:
    """Only the assignee works on a claim: evidence, drafts, submit, decline."""
    return is_fact_checker(user) and claim.assignee_id is not None and claim.assignee_id == user.pk


def can_add_evidence(user, claim: Claim) -> bool:
    return can_work_on(user, claim) or is_editor(user)


def can_approve(user, verdict: Verdict) -> bool:
    """Editors approve or return verdicts, never one they wrote or submitted (four eyes)."""
    return (
        is_editor(user)
        and verdict.author_id != user.pk
        and (verdict.submitted_by_id is None or verdict.submitted_by_id != user.pk)
    )


def can_view_verdict(user, verdict: Verdict, claim: Claim | None = None) -> bool:
    """A draft is its author's. Editors look over the current draft of a claim they are not
    working on; nobody else sees it, least of all whoever the claim went to next: a draft left
    behind by a reassignment stays in the history, read by its author only."""
    if verdict.state == "draft":
        if verdict.author_id == user.pk:
            return True
        claim = claim if claim is not None else verdict.claim
        return is_editor(user) and verdict.is_current and claim.assignee_id != user.pk
    if verdict.state == "returned" and not verdict.is_current:
        # Returned work that a reassignment left behind is its author's, like a draft.
        return verdict.author_id == user.pk or (
            is_editor(user)
            and (claim if claim is not None else verdict.claim).assignee_id != user.pk
        )
    return can_view_claims(user)
