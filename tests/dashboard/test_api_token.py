import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_person_makes_uses_and_revokes_their_token(client, checker):
    client.force_login(checker)
    url = reverse("claims:api_token")
    assert "You have no API token yet." in client.get(url).content.decode()
    page = client.post(url, {"intent": "create"}).content.decode()
    key = Token.objects.get(user=checker).key
    assert f'value="{key}"' in page and "shown only once" in page
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/auth/me/").json()["username"] == "checker"
    response = client.post(url, {"intent": "revoke"})
    assert response.status_code == 302
    assert not Token.objects.filter(user=checker).exists()
    assert api.get("/api/v1/auth/me/").status_code == 401


def test_token_page_needs_login_and_csrf(client, checker):
    assert client.get(reverse("claims:api_token")).status_code == 302
    strict = type(client)(enforce_csrf_checks=True)
    strict.force_login(checker)
    assert strict.post(reverse("claims:api_token"), {"intent": "create"}).status_code == 403
    assert not Token.objects.exists()
