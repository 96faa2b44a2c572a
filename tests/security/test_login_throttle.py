"""Issue 11, item 5: sign-ins are throttled on every form, and by the client's real address.

django-axes counts failures in the database per account and per address (LOGIN_FAILURE_LIMIT,
5 here by default): the dashboard's /accounts/login/, the admin's /admin/login/ and the API's
session login and token all lock, with a 429 that says when to try again. The API's rate limits
count anonymous callers by factcheck.security.client_address: X-Forwarded-For only as far as
TRUSTED_PROXY_COUNT proxies vouch for it."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from factcheck.security import client_address

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
LOCKED = re.compile(
    r"Too many failed sign-ins for this account or from this address\. "
    r"Try again in 15 minutes \(after \d\d:\d\d UTC\)\."
)

pytestmark = pytest.mark.django_db


def sign_in(path: str, username: str, password: str, address: str = "10.0.0.1", **extra):
    client = Client()
    return client.post(
        path, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def assert_locked(response) -> None:
    assert response.status_code == 429, response.status_code
    assert LOCKED.search(response.content.decode()), response.content.decode()[:500]
    assert response["Retry-After"] == "900"


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_thirty_wrong_passwords_lock_the_account_and_the_right_one_then_waits(path, editor):
    """The issue's reproduction: 30 wrong passwords all answered 200 and the right one worked."""
    answers = [sign_in(path, "editor", f"guess-{i}").status_code for i in range(30)]
    assert answers[:4] == [200] * 4  # the form again, "didn't match"
    assert set(answers[4:]) == {429}
    assert_locked(sign_in(path, "editor", PASSWORD))  # same address
    assert_locked(sign_in(path, "editor", PASSWORD, address="10.9.9.9"))  # the account is locked
    assert "_auth_user_id" not in Client().session


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_other_accounts_from_other_addresses_still_sign_in(path, editor):
    from tests.factories import editor as make_editor

    other = make_editor("editor2", is_staff=True)  # the admin signs in staff only
    for i in range(5):
        sign_in(path, "editor", f"guess-{i}")
    client = Client()
    response = client.post(
        path, {"username": "editor2", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_failures_from_one_address_lock_that_address_for_every_account(editor, checker):
    """Guessing across many names (password spraying) locks the address."""
    for name in ["alice", "bob", "carol", "dave", "erin"]:
        sign_in("/accounts/login/", name, "Winter2026!")
    assert_locked(sign_in("/accounts/login/", "checker", PASSWORD))
    ok = sign_in("/accounts/login/", "checker", PASSWORD, address="10.0.0.3")
    assert ok.status_code == 302


def test_the_message_is_on_the_sign_in_page(editor):
    for i in range(4):
        page = sign_in("/accounts/login/", "editor", f"guess-{i}")
        assert (
            "didn&#x27;t match" in page.content.decode() or "didn't match" in page.content.decode()
        )
    page = sign_in("/accounts/login/", "editor", "guess-5")
    assert_locked(page)
    html = page.content.decode()
    assert "Signing in is paused" in html
    assert 'href="/accounts/login/"' in html


def test_the_lockout_ends_after_the_wait(editor):
    for i in range(5):
        sign_in("/accounts/login/", "editor", f"guess-{i}")
    assert_locked(sign_in("/accounts/login/", "editor", PASSWORD))
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in("/accounts/login/", "editor", PASSWORD).status_code == 302


def test_a_new_forwarded_for_value_per_try_is_still_the_same_client(editor, settings):
    """TRUSTED_PROXY_COUNT=0 (the default): X-Forwarded-For is ignored."""
    assert settings.TRUSTED_PROXY_COUNT == 0
    answers = [
        sign_in(
            "/accounts/login/", "nobody", "guess", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
        ).status_code
        for i in range(6)
    ]
    assert answers[-2:] == [429, 429]
    assert_locked(sign_in("/accounts/login/", "editor", PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4"))


# --- The API: session login and token --------------------------------------------------------


def api_post(path: str, body: dict, address: str = "10.0.0.1", **extra):
    return APIClient().post(path, body, format="json", REMOTE_ADDR=address, **extra)


@pytest.mark.parametrize("path", ["/api/v1/auth/login/", "/api/v1/auth/token/"])
def test_api_sign_in_locks_too_with_the_error_shape(path, checker):
    for i in range(4):
        response = api_post(path, {"username": "checker", "password": f"guess-{i}"})
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
    response = api_post(path, {"username": "checker", "password": "guess-5"})
    assert response.status_code == 429
    data = response.json()
    assert set(data) == {"detail", "code", "errors"} and data["code"] == "locked_out"
    assert LOCKED.fullmatch(data["detail"])
    locked = api_post(path, {"username": "checker", "password": PASSWORD})
    assert locked.status_code == 429 and locked.json()["code"] == "locked_out"


def test_api_login_throttle_ignores_a_spoofed_forwarded_for(settings, checker):
    """The API's per-address rate (API_THROTTLE_LOGIN) is not reset by a new header per try."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login": "3/min",
        },
    }
    answers = [
        api_post("/api/v1/auth/token/", {}, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(5)
    ]
    assert answers == [401, 401, 401, 429, 429]


def test_behind_one_trusted_proxy_the_client_is_the_last_forwarded_address(settings, checker):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login": "3/min",
        },
    }
    proxy = "10.0.0.254"
    # The client writes anything it likes on the left; the proxy appends what it saw.
    answers = [
        api_post(
            "/api/v1/auth/token/", {}, address=proxy, HTTP_X_FORWARDED_FOR=f"1.1.1.{i}, 203.0.113.7"
        ).status_code
        for i in range(4)
    ]
    assert answers == [401, 401, 401, 429]
    other = api_post(
        "/api/v1/auth/token/",
        {"username": "checker", "password": PASSWORD},
        address=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )
    assert other.status_code == 201


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "10.0.0.1", "6.6.6.6", "10.0.0.1"),
        (1, "10.0.0.254", "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (2, "10.0.0.254", "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "10.0.0.254", "203.0.113.7", "10.0.0.254"),  # shorter than the proxy chain
        (1, "10.0.0.254", "not-an-address", "10.0.0.254"),
        (1, "10.0.0.254", "", "10.0.0.254"),
    ],
)
def test_client_address(settings, rf, count, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


# --- Redis down ---------------------------------------------------------------------------


@pytest.fixture
def cache_down(settings):
    """The cache is a Redis nobody listens on (port 1): every cache call fails to connect."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }


def test_with_the_cache_down_sign_in_works_and_lockouts_still_hold(cache_down, editor, checker):
    """Decision: the rate limits fail open (logged), the lockouts are in the database and hold."""
    ok = api_post("/api/v1/auth/token/", {"username": "checker", "password": PASSWORD})
    assert ok.status_code == 201
    assert sign_in("/accounts/login/", "checker", PASSWORD, address="10.0.0.5").status_code == 302
    for i in range(5):
        sign_in("/accounts/login/", "editor", f"guess-{i}")
    assert_locked(sign_in("/accounts/login/", "editor", PASSWORD))
    locked = api_post("/api/v1/auth/login/", {"username": "editor", "password": PASSWORD})
    assert locked.status_code == 429 and locked.json()["code"] == "locked_out"
