"""Verdicts and the rating scale they rate on."""

from __future__ import annotations

from rest_framework import serializers

from claims.models import Rating, Verdict

from .common import UserRefSerializer


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["id", "scale", "slug", "label", "value", "description", "position", "active"]
        read_only_fields = fields


class RatingRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["id", "slug", "label", "value"]
        read_only_fields = fields


class VerdictSerializer(serializers.ModelSerializer):
    rating = RatingRefSerializer(read_only=True, allow_null=True)
    author = UserRefSerializer(read_only=True)
    decided_by = UserRefSerializer(read_only=True, allow_null=True)
    version = serializers.IntegerField(
        source="claim.version",
        read_only=True,
        help_text="The claim's version: send it back (body `version` or If-Match) with a write.",
    )

    class Meta:
        model = Verdict
        fields = [
            "id",
            "claim",
            "rating",
            "summary",
            "rationale",
            "author",
            "state",
            "is_current",
            "decided_by",
            "decision_note",
            "decided_at",
            "submitted_at",
            "correction_of",
            "correction_note",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields
