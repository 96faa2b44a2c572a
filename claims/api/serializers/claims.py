"""A claim (with its current verdict and what this user may do to it) and its audit trail."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims import permissions, workflow
from claims.models import Claim, ClaimEvent

from .articles import ArticleRefSerializer
from .common import UserRefSerializer
from .verdicts import VerdictSerializer


class ClaimSerializer(serializers.ModelSerializer):
    article = ArticleRefSerializer(read_only=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    topics = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    is_overdue = serializers.BooleanField(read_only=True)
    # Declared so that the schema says it may be blank (DRF drops that for read-only fields).
    dismiss_reason = serializers.ChoiceField(
        choices=Claim.DismissReason.choices, allow_blank=True, read_only=True
    )
    current_verdict = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "version",
            "article",
            "text",
            "context",
            "position",
            "start_offset",
            "end_offset",
            "claimant",
            "claimant_method",
            "score",
            "language",
            "topics",
            "priority",
            "due_at",
            "is_overdue",
            "state",
            "dismiss_reason",
            "assignee",
            "duplicate_of",
            "repeat_count",
            "published_at",
            "created_at",
            "updated_at",
            "current_verdict",
            "available_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(VerdictSerializer(allow_null=True))
    def get_current_verdict(self, claim: Claim):
        """The current verdict if this user may see it (another person's draft: null)."""
        current = getattr(claim, "current_verdicts", None)
        if current is None:
            verdict = workflow.current_verdict(claim)
        else:
            verdict = current[0] if current else None
        user = self.context["request"].user
        if verdict is None or not permissions.can_view_verdict(user, verdict, claim):
            return None
        verdict.claim = claim  # the version comes from the claim already in hand
        return VerdictSerializer(verdict, context=self.context).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, claim: Claim) -> list[str]:
        """What this user may do to the claim now (workflow transitions, by name)."""
        return workflow.available_transitions(claim, self.context["request"].user)


class ClaimEventSerializer(serializers.ModelSerializer):
    actor = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ClaimEvent
        fields = ["id", "actor", "transition", "from_state", "to_state", "details", "created_at"]
        read_only_fields = fields
