"""Evidence under a claim, with what the link and quote checks found."""

from __future__ import annotations

from rest_framework import serializers

from claims.models import Evidence

from .common import UserRefSerializer


class EvidenceSerializer(serializers.ModelSerializer):
    added_by = UserRefSerializer(read_only=True, allow_null=True)
    version = serializers.IntegerField(
        source="claim.version",
        read_only=True,
        help_text="The claim's version now (adding evidence bumps it): send it with the next "
        "write.",
    )

    class Meta:
        model = Evidence
        fields = [
            "id",
            "claim",
            "url",
            "title",
            "publisher",
            "stance",
            "excerpt",
            "note",
            "added_by",
            "created_at",
            "link_status",
            "http_status",
            "final_url",
            "checked_at",
            "archive_url",
            "quote_status",
            "changed_since_cited",
            "correction",
            "withdrawn_by",
            "version",
        ]
        read_only_fields = fields
