"""The signed-in user: who they are and their API token."""

from __future__ import annotations

from rest_framework import serializers


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text="Send as `Authorization: Token ...`.")
    created = serializers.DateTimeField(read_only=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    is_editor = serializers.BooleanField(read_only=True)
    is_fact_checker = serializers.BooleanField(read_only=True)
    has_token = serializers.BooleanField(read_only=True)
