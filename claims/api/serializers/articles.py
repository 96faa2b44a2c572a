"""Articles: in full, in the list, and as a claim refers to its article."""

from __future__ import annotations

from rest_framework import serializers

from claims.models import Article

from .common import UserRefSerializer


class ArticleRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = ["id", "title", "publisher", "url", "published_at"]
        read_only_fields = fields


class ArticleSerializer(serializers.ModelSerializer):
    submitted_by = UserRefSerializer(read_only=True, allow_null=True)
    claim_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "url",
            "source",
            "title",
            "publisher",
            "author",
            "published_at",
            "language",
            "status",
            "status_detail",
            "progress",
            "claim_count",
            "submitted_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ArticleDetailSerializer(ArticleSerializer):
    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body"]
        read_only_fields = fields
