from django.contrib import admin
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView


class ApiDocsView(SpectacularSwaggerView):
    """Swagger UI. drf-spectacular relaxes Cross-Origin-Opener-Policy for OAuth2 sign-in popups;
    this API has none (tokens and sessions), so the page keeps the site's same-origin policy."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Cross-Origin-Opener-Policy"] = "same-origin"
        return response


urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("factcheck.api_urls")),
    path("fact-checks/", include("claims.public_urls")),
    path("reports/", include("claims.reports_urls")),
    path("reviewers/", include("reviewers.urls")),
    path("", include("claims.urls")),
]

# A database outage outside a view is a 503 too (factcheck/middleware.py).
handler500 = "factcheck.middleware.server_error"
