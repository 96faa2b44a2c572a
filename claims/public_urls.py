"""Public pages (no login): published fact-checks and their feeds."""

from django.urls import path  # noqa: F401

app_name = "public"

urlpatterns: list = []
