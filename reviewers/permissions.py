"""Who may do what in the reviewers app (on top of claims.permissions)."""

from __future__ import annotations

from claims import permissions


def can_manage_reviewers(user) -> bool:
    """Editors see the workload and edit reviewer profiles."""
    return permissions._has(user, "reviewers.change_reviewerprofile") and permissions.is_editor(
        user
    )


def can_assign(user) -> bool:
    return permissions.can_assign(user)


def can_decline(user, claim) -> bool:
    return permissions.can_work_on(user, claim)
