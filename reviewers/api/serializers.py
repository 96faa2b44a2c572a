"""Representations of reviewers, assignments and notifications in the REST API."""

from __future__ import annotations

from rest_framework import serializers

from claims.api.serializers import UserRefSerializer

from ..models import Assignment, Notification, ReviewerProfile


class ReviewerSerializer(serializers.ModelSerializer):
    user = UserRefSerializer(read_only=True)
    topics = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    is_available = serializers.SerializerMethodField()
    open_assignments = serializers.IntegerField(read_only=True)
    overdue_assignments = serializers.IntegerField(read_only=True)
    remaining_capacity = serializers.SerializerMethodField()

    class Meta:
        model = ReviewerProfile
        fields = [
            "id",
            "user",
            "topics",
            "languages",
            "capacity",
            "available",
            "away_until",
            "is_available",
            "open_assignments",
            "overdue_assignments",
            "remaining_capacity",
        ]
        read_only_fields = fields

    def get_is_available(self, profile: ReviewerProfile) -> bool:
        return profile.is_available()

    def get_remaining_capacity(self, profile: ReviewerProfile) -> int:
        return max(0, profile.capacity - profile.open_assignments)


class AssignmentSerializer(serializers.ModelSerializer):
    reviewer = UserRefSerializer(read_only=True)
    assigned_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "claim",
            "reviewer",
            "assigned_by",
            "reason",
            "assigned_at",
            "due_at",
            "state",
            "ended_at",
            "decline_reason",
        ]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "claim", "kind", "message", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class ReadAllResultSerializer(serializers.Serializer):
    """The answer of "mark all read" (an output, documented in the schema)."""

    marked = serializers.IntegerField(help_text="How many notifications were marked read.")
