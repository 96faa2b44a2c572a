"""The reports pages under /reports/ (namespace "exports"): exports (claims/exports/views.py),
the ClaimReview import (claims/views/imports.py) and corrections (claims/views/corrections.py)."""

from django.urls import path

from .exports import views as exports
from .views import corrections, imports

app_name = "exports"

urlpatterns = [
    path("exports/", exports.index, name="index"),
    path("export/", exports.export, name="export"),
    path("exports/<int:export_id>/", exports.export_status, name="status"),
    path("exports/<int:export_id>/download/", exports.export_download, name="download"),
    path("import/", imports.import_claimreview, name="import"),
    path("corrections/", corrections.corrections_waiting, name="corrections"),
    path("corrections/<int:claim_id>/", corrections.correction, name="correction"),
]
