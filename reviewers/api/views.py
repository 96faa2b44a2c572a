"""Reviewers and their workload, assignments, and each person's notifications."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from claims.api.pagination import StandardCursorPagination
from claims.api.permissions import CanViewClaims
from claims.api.views.common import int_or_404

from ..models import Assignment, Notification, ReviewerProfile
from ..notifications import mark_read as notifications_mark_read
from . import selectors
from .serializers import (
    AssignmentSerializer,
    NotificationSerializer,
    ReadAllResultSerializer,
    ReviewerSerializer,
)


@extend_schema_view(
    list=extend_schema(
        summary="Reviewers and their workload",
        description="Editors see everyone; a fact-checker sees their own profile.",
    ),
    retrieve=extend_schema(summary="One reviewer and their workload"),
)
class ReviewerViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ReviewerProfile.objects.none()  # the model, for the schema; see get_queryset
    serializer_class = ReviewerSerializer
    permission_classes = [CanViewClaims]
    pagination_class = None

    def get_queryset(self):
        return selectors.reviewers_visible_to(self.request.user)


class AssignmentFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=Assignment.State.choices)
    reviewer = django_filters.CharFilter(field_name="reviewer__username", label="Reviewer")
    claim = django_filters.NumberFilter(field_name="claim_id", label="Claim id")

    class Meta:
        model = Assignment
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="Assignments, newest first",
        description="Editors see all; a fact-checker sees their own.",
    ),
    retrieve=extend_schema(summary="One assignment"),
)
class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Assignment.objects.none()
    serializer_class = AssignmentSerializer
    permission_classes = [CanViewClaims]
    filterset_class = AssignmentFilter
    pagination_class = StandardCursorPagination

    def get_queryset(self):
        return selectors.assignments_visible_to(self.request.user)


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label="Unread only"
    )

    class Meta:
        model = Notification
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="Your notifications, newest first"),
    retrieve=extend_schema(summary="One of your notifications"),
)
class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = NotificationFilter
    pagination_class = StandardCursorPagination

    def get_queryset(self):
        return selectors.notifications_of(self.request.user)

    @extend_schema(summary="Mark one notification read", request=None)
    @action(detail=True, methods=["post"], filterset_class=None)
    def read(self, request, pk=None):
        notification = get_object_or_404(self.get_queryset(), pk=int_or_404(pk))
        notifications_mark_read(user=request.user, notification_ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        summary="Mark all your notifications read",
        request=None,
        responses={200: ReadAllResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="read-all", filterset_class=None)
    def read_all(self, request):
        return Response({"marked": notifications_mark_read(user=request.user)})


def register(router) -> None:
    """Add the reviewer endpoints to the project's API router (factcheck/api_urls.py)."""
    router.register("reviewers", ReviewerViewSet, basename="reviewer")
    router.register("assignments", AssignmentViewSet, basename="assignment")
    router.register("notifications", NotificationViewSet, basename="notification")
