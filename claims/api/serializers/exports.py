"""Exports, with the permission-checked link to download a finished one."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims.models import Export

from .common import UserRefSerializer


class ExportSerializer(serializers.ModelSerializer):
    requested_by = UserRefSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = [
            "id",
            "format",
            "filters",
            "state",
            "progress",
            "row_count",
            "error",
            "requested_by",
            "created_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, export: Export) -> str | None:
        """The permission-checked download view, never the storage's own URL."""
        if export.state != Export.State.DONE or not export.file:
            return None
        path = reverse("exports:download", args=[export.pk])
        return self.context["request"].build_absolute_uri(path)
