"""Exports: reports built in the background by the exports service, downloadable when done."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from claims.exports.services import export_create
from claims.models import Export

from .. import inputs, selectors
from ..pagination import StandardCursorPagination
from ..permissions import CanExport
from ..serializers import ExportSerializer
from ..throttles import ExportThrottle


@extend_schema_view(
    list=extend_schema(summary="Your exports, newest first"),
    retrieve=extend_schema(summary="One export: its state, progress and download link"),
    create=extend_schema(
        summary="Queue an export of verdicts (editors)",
        description="`filters` are the claims list's filters. The report is built in the "
        "background: poll the export until `state` is done, then follow `download_url`.",
        request=inputs.ExportInput,
        responses={201: ExportSerializer},
    ),
)
class ExportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Export.objects.none()  # the model, for the schema; see get_queryset
    serializer_class = ExportSerializer
    permission_classes = [CanExport]
    pagination_class = StandardCursorPagination

    def get_queryset(self):
        return selectors.exports_of(self.request.user)

    def get_throttles(self):
        return [ExportThrottle()] if self.action == "create" else super().get_throttles()

    def create(self, request, *args, **kwargs):
        data = inputs.ExportInput(data=request.data)
        data.is_valid(raise_exception=True)
        export = export_create(
            user=request.user,
            format=data.validated_data["format"],
            filters=data.validated_data["filters"],
        )
        export = self.get_queryset().get(pk=export.pk)
        body = ExportSerializer(export, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)
