from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("factcheck.api_urls")),
    path("fact-checks/", include("claims.public_urls")),
    path("reports/", include("claims.exports.urls")),
    path("reviewers/", include("reviewers.urls")),
    path("", include("claims.urls")),
]

# A database outage outside a view is a 503 too (factcheck/middleware.py).
handler500 = "factcheck.middleware.server_error"
