from django.urls import path

from . import views

app_name = "claims"

urlpatterns = [
    path("", views.home, name="home"),  # editors: the overview; everyone else: their queue
    path("overview/", views.overview, name="overview"),
    path("queue/", views.queue, name="queue"),
    path("healthz", views.healthz, name="healthz"),
    path("account/api-token/", views.api_token, name="api_token"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/bulk/", views.claim_bulk, name="claim_bulk"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/<slug:action>/", views.claim_action, name="claim_action"),
    path("verdicts/<int:pk>/", views.verdict_detail, name="verdict"),
    path("ingest/", views.ingest, name="ingest"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("articles/<int:pk>/status/", views.article_status, name="article_status"),
    path("articles/<int:pk>/triage/", views.article_triage, name="article_triage"),
    path("approvals/", views.approvals, name="approvals"),
    # /reports/export/... belongs to the exports app (included before this module); the page
    # itself, with its charts and export buttons, is here.
    path("reports/", views.reports, name="reports"),
]
