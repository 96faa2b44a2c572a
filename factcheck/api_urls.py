"""/api/v1/: one router over the apps' endpoints (claims, then reviewers, which builds on it)."""

from rest_framework.routers import DefaultRouter

from claims.api import urls as claims_api
from reviewers.api import views as reviewers_api

router = DefaultRouter()
claims_api.register(router)
reviewers_api.register(router)

app_name = "api"

urlpatterns = [
    *claims_api.auth_urlpatterns,
    *router.urls,
    *claims_api.not_found_urlpatterns,
]
