"""Shapes every resource shares: the body of every error, and a reference to a user."""

from __future__ import annotations

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The shape of every error the API returns."""

    detail = serializers.CharField(help_text="What went wrong, in a sentence a person can act on.")
    code = serializers.CharField(help_text="A stable code for scripts, e.g. stale_version.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Field errors: {"field": ["message", ...]}; empty when none.',
    )


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
