"""Who may do what. The dashboard, the API and the services all ask here."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Claim, Verdict

EDITORS = "Editors"
FACT_CHECKERS = "Fact-checkers"

# Permissions each group gets (created by a migration).
FACT_CHECKER_PERMISSIONS = ["claims.work_claim", "claims.add_evidence", "claims.add_verdict"]
EDITOR_PERMISSIONS = FACT_CHECKER_PERMISSIONS + [
    "claims.triage_claim",
    "claims.assign_claim",
    "claims.approve_verdict",
    "claims.publish_claim",
    "claims.ingest_article",
    "claims.export_verdicts",
    "claims.change_claim",
    "reviewers.change_reviewerprofile",
]


def _has(user, perm: str) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.has_perm(perm)
    )


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
    """Editors approve or return verdicts, never one they wrote (four eyes)."""
    return is_editor(user) and verdict.author_id != user.pk


def can_view_verdict(user, verdict: Verdict) -> bool:
    """A draft is seen by its author and the editors; a fact-checker never sees another's draft."""
    if verdict.state == "draft":
        return verdict.author_id == user.pk or is_editor(user)
    return can_view_claims(user)
