"""The claims app's part of the REST API. factcheck/api_urls.py puts the router together."""

from django.urls import path, re_path

from .views import auth
from .views.claims import ClaimViewSet
from .views.exports import ExportViewSet
from .views.resources import ArticleViewSet, ClaimEvidenceViewSet, RatingViewSet, VerdictViewSet


def register(router) -> None:
    """Add the claims endpoints to the project's API router."""
    router.register("articles", ArticleViewSet, basename="article")
    router.register("claims", ClaimViewSet, basename="claim")
    router.register(
        r"claims/(?P<claim_pk>[^/.]+)/evidence", ClaimEvidenceViewSet, basename="evidence"
    )
    router.register("verdicts", VerdictViewSet, basename="verdict")
    router.register("ratings", RatingViewSet, basename="rating")
    router.register("exports", ExportViewSet, basename="export")


auth_urlpatterns = [
    path("auth/csrf/", auth.CsrfView.as_view(), name="auth-csrf"),
    path("auth/login/", auth.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", auth.LogoutView.as_view(), name="auth-logout"),
    path("auth/me/", auth.MeView.as_view(), name="auth-me"),
    path("auth/token/", auth.TokenView.as_view(), name="auth-token"),
]
# Anything else under /api/v1/ is a JSON 404 in the API's error shape, never an HTML page.
not_found_urlpatterns = [re_path(r"^.*/$", auth.not_found, name="not-found")]
