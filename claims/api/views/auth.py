"""Signing in over the API: session login (CSRF-protected) and API tokens."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.http import Http404
from django.middleware.csrf import get_token
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import CSRFCheck
from rest_framework.authtoken.models import Token
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
)
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from claims import permissions

from .. import inputs
from ..serializers import MeSerializer, TokenSerializer
from ..throttles import LoginThrottle, TokenThrottle
from ..tokens import token_create, token_revoke

WRONG_CREDENTIALS = "Wrong username or password (or the account is disabled)."


def enforce_csrf(request) -> None:
    """Login with a session cookie is a form post like any other: it needs the CSRF token."""
    check = CSRFCheck(lambda req: None)
    check.process_request(request)
    reason = check.process_view(request, None, (), {})
    if reason:
        raise PermissionDenied(f"CSRF failed: {reason}. GET /api/v1/auth/csrf/ first.")


def _check_password(request, username: str, password: str):
    user = authenticate(request._request, username=username, password=password)
    if user is None or not user.is_active:
        raise ValidationError({"password": [WRONG_CREDENTIALS]}, code="invalid_credentials")
    return user


def me(user) -> dict:
    return {
        "id": user.pk,
        "username": user.get_username(),
        "is_editor": permissions.is_editor(user),
        "is_fact_checker": permissions.is_fact_checker(user),
        "has_token": Token.objects.filter(user=user).exists(),
    }


class CsrfView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A CSRF token (and cookie) for session sign-in",
        responses={200: inline_serializer("CsrfToken", {"csrf_token": serializers.CharField()})},
    )
    def get(self, request):
        return Response({"csrf_token": get_token(request._request)})


class LoginView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(
        summary="Sign in with a session cookie (send X-CSRFToken)",
        request=inputs.LoginInput,
        responses={200: MeSerializer},
    )
    def post(self, request):
        enforce_csrf(request)
        data = inputs.LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = _check_password(
            request, data.validated_data["username"], data.validated_data["password"]
        )
        login(request._request, user)
        return Response(me(user))


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Sign out (end the session)", request=None, responses={204: None})
    def post(self, request):
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Who you are signed in as, and your roles", responses={200: MeSerializer}
    )
    def get(self, request):
        return Response(me(request.user))


class TokenView(APIView):
    """Your API token: make a new one (the old one stops working) or revoke it."""

    permission_classes = [AllowAny]

    def get_throttles(self):
        if self.request.method == "POST":
            return (
                [TokenThrottle(), LoginThrottle()]
                if not self.request.user.is_authenticated
                else [TokenThrottle()]
            )
        return []

    @extend_schema(
        summary="Make a new API token for yourself",
        description="Signed in: no body needed. Otherwise send your username and password. "
        "Any earlier token of yours stops working. The token is shown only now.",
        request=inputs.TokenCreateInput,
        responses={201: TokenSerializer},
    )
    def post(self, request):
        user = request.user
        if not isinstance(request.data, dict):  # parsed even when signed in
            raise ValidationError(
                {"non_field_errors": ["Send a JSON object (or no body when signed in)."]}
            )
        data = inputs.TokenCreateInput(data=request.data)
        data.is_valid(raise_exception=True)  # the same rules, signed in or not
        if not user.is_authenticated:
            username = data.validated_data.get("username")
            password = data.validated_data.get("password")
            if not username or not password:
                raise NotAuthenticated(
                    "Sign in, or send your username and password, to make a token."
                )
            user = _check_password(request, username, password)
        token = token_create(user=user)
        return Response({"token": token.key, "created": token.created}, status=201)

    @extend_schema(
        summary="Revoke your API token",
        responses={204: OpenApiResponse(description="Revoked (or there was none).")},
    )
    def delete(self, request):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
@authentication_classes([])
def not_found(request, *args, **kwargs):
    raise Http404
