"""Session sign-in with CSRF, API tokens (API and management command), scoped throttles."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims.models import Export
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def test_session_login_needs_the_csrf_token_and_then_works(checker):
    client = APIClient(enforce_csrf_checks=True)
    refused = client.post(
        "/api/v1/auth/login/", {"username": "checker", "password": PASSWORD}, format="json"
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert refused.json()["detail"].startswith("CSRF failed")

    csrf = client.get("/api/v1/auth/csrf/").json()["csrf_token"]
    signed_in = client.post(
        "/api/v1/auth/login/",
        {"username": "checker", "password": PASSWORD},
        format="json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert signed_in.status_code == 200, signed_in.json()
    assert signed_in.json()["username"] == "checker"
    assert signed_in.json()["is_fact_checker"] is True
    assert signed_in.json()["is_editor"] is False

    # Signed in by session: reads work, writes need the (rotated) CSRF token.
    assert client.get("/api/v1/claims/").status_code == 200
    claim = ClaimFactory()
    no_token = client.post(f"/api/v1/claims/{claim.pk}/evidence/", {"url": "https://a.example"})
    assert no_token.status_code == 403
    assert no_token.json()["detail"].startswith("CSRF Failed")
    csrf = client.cookies["csrftoken"].value
    logout = client.post("/api/v1/auth/logout/", HTTP_X_CSRFTOKEN=csrf)
    assert logout.status_code == 204
    assert client.get("/api/v1/claims/").status_code == 401


def test_wrong_password_says_so(checker):
    response = APIClient().post(
        "/api/v1/auth/login/", {"username": "checker", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "password": ["Wrong username or password (or the account is disabled)."]
    }


def test_a_user_makes_and_revokes_their_own_token(checker):
    # With the password (a script with no token yet).
    made = APIClient().post(
        "/api/v1/auth/token/", {"username": "checker", "password": PASSWORD}, format="json"
    )
    assert made.status_code == 201
    first = made.json()["token"]
    assert Token.objects.get(user=checker).key == first

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    me = client.get("/api/v1/auth/me/").json()
    assert me == {
        "id": checker.pk,
        "username": "checker",
        "is_editor": False,
        "is_fact_checker": True,
        "has_token": True,
    }
    # Signed in with the token: a new one replaces it.
    second = client.post("/api/v1/auth/token/").json()["token"]
    assert second != first
    assert client.get("/api/v1/auth/me/").status_code == 401  # the old one stopped working
    client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert not Token.objects.filter(user=checker).exists()
    assert client.get("/api/v1/auth/me/").json()["code"] == "authentication_failed"


def test_a_token_needs_a_signed_in_user_or_a_password(checker):
    response = APIClient().post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 401
    assert response.json()["detail"] == (
        "Sign in, or send your username and password, to make a token."
    )
    assert APIClient().delete("/api/v1/auth/token/").status_code == 401


def test_api_token_command_prints_a_new_token(checker):
    out = StringIO()
    call_command("api_token", "checker", stdout=out)
    key = out.getvalue().strip()
    assert Token.objects.get(user=checker).key == key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/auth/me/").json()["username"] == "checker"

    again = StringIO()
    call_command("api_token", "checker", stdout=again)
    assert again.getvalue().strip() != key
    assert client.get("/api/v1/auth/me/").status_code == 401
    with pytest.raises(CommandError, match="There is no user named ghost"):
        call_command("api_token", "ghost")


# --- Throttles -------------------------------------------------------------------------------


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            **rates,
        },
    }


def test_login_is_throttled_per_address(settings, checker):
    _rates(settings, login="3/min")
    client = APIClient()
    codes = [
        client.post(
            "/api/v1/auth/login/", {"username": "checker", "password": "guess"}, format="json"
        ).status_code
        for _ in range(4)
    ]
    assert codes == [400, 400, 400, 429]
    last = client.post(
        "/api/v1/auth/login/", {"username": "checker", "password": PASSWORD}, format="json"
    )
    assert last.status_code == 429
    assert last.json()["code"] == "throttled"
    assert last.json()["detail"].startswith("Request was throttled.")
    assert int(last["Retry-After"]) > 0


def test_token_creation_is_throttled_per_user(settings, checker):
    _rates(settings, token="2/hour")
    from claims.api.tokens import token_create

    codes = []
    for _ in range(3):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=checker).key}")
        codes.append(client.post("/api/v1/auth/token/").status_code)
    assert codes == [201, 201, 429]


def test_ingestion_is_throttled_per_user(settings, as_editor, as_checker):
    _rates(settings, ingestion="2/hour")
    codes = [
        as_editor.post(
            "/api/v1/articles/", {"text": f"The minister said exports rose {n}%."}, format="json"
        ).status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]
    # Reading articles is not ingestion.
    assert as_editor.get("/api/v1/articles/").status_code == 200


def test_exports_are_throttled(settings, as_editor):
    _rates(settings, exports="1/hour")
    first = as_editor.post("/api/v1/exports/", {"format": "csv"}, format="json")
    assert first.status_code in {201, 503}
    second = as_editor.post("/api/v1/exports/", {"format": "csv"}, format="json")
    assert second.status_code == 429
    assert Export.objects.count() == (1 if first.status_code == 201 else 0)
