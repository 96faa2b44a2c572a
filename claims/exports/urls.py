from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("exports/", views.index, name="index"),
    path("export/", views.export, name="export"),
    path("exports/<int:export_id>/", views.export_status, name="status"),
    path("exports/<int:export_id>/download/", views.export_download, name="download"),
    path("import/", views.import_claimreview, name="import"),
    path("corrections/", views.corrections_waiting, name="corrections"),
    path("corrections/<int:claim_id>/", views.correction, name="correction"),
]
