"""DRF permission classes over claims/permissions.py: the API asks the same questions as the
dashboard. Per-action rules (who may promote, submit, approve...) are checked by the workflow
services themselves, which raise PermissionDenied with a sentence; these classes only gate
whole resources.
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from claims import permissions


class _Rule(BasePermission):
    message = "You do not have permission to do this."

    def allowed(self, user) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and self.allowed(user))


class CanViewClaims(_Rule):
    message = "Only fact-checkers and editors can see claims, articles and verdicts."

    def allowed(self, user) -> bool:
        return permissions.can_view_claims(user)


class CanIngestOrReadOnly(CanViewClaims):
    """Everyone who sees claims reads articles; only those who may ingest file new ones."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS:
            return True
        if permissions.can_ingest(request.user):
            return True
        self.message = "Only editors can ingest articles."
        return False


class CanExport(_Rule):
    message = "Only editors can export verdict reports."

    def allowed(self, user) -> bool:
        return permissions.can_export(user)
