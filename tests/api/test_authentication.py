"""The token check reads the user and their permissions in one query (claims/api/
authentication.py): the permissions are the ones Django's ModelBackend reads, read again for
every request, so a role taken away applies at once."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from claims import permissions
from claims.api.authentication import TokenAuthentication, token_with_permissions
from claims.api.tokens import token_create
from claims.permissions import EDITORS
from tests.vendor import postgresql_only, prepared_statements, queries

from .conftest import client_for
from .test_errors import assert_error

pytestmark = pytest.mark.django_db
REFUSED = "Only fact-checkers and editors can see claims, articles and verdicts."
ONE_STATEMENT = postgresql_only(
    "the token with its permissions in one statement is PostgreSQL's path; elsewhere DRF's token "
    "check and the permissions' own query (test_the_permission_checks_of_a_request_ask_no_query)"
)


def _permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def direct(db):
    """Someone in no group, given the fact-checkers' permission on their own account."""
    user = get_user_model().objects.create_user("direct", password="x")
    user.user_permissions.add(_permission("claims.work_claim"))
    return user


@pytest.fixture
def both(checker):
    """A fact-checker who also holds an editor's permission of their own."""
    checker.user_permissions.add(_permission("claims.export_verdicts"))
    return checker


@ONE_STATEMENT
@pytest.mark.parametrize("who", ["editor", "checker", "direct", "both"])
def test_the_token_brings_the_permissions_modelbackend_reads(request, who):
    user = request.getfixturevalue(who)
    key = token_create(user=user).key
    with CaptureQueriesContext(connection) as queries:
        token, own, groups = token_with_permissions(key)
    assert len(queries) == 1
    assert token.key == key and token.user.pk == user.pk and token.user.username == user.username
    fresh = get_user_model().objects.get(pk=user.pk)
    backend = ModelBackend()
    assert set(own) == backend.get_user_permissions(fresh)
    assert set(groups) == backend.get_group_permissions(fresh)
    assert set(own) | set(groups)  # every one of them holds something


@ONE_STATEMENT
def test_an_unknown_token_is_none():
    assert token_with_permissions("no-such-token") is None
    assert token_with_permissions("no-such\x00token") is None


def test_a_token_with_a_nul_character_is_refused_not_an_error(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token abc\x00def")
    assert_error(client.get("/api/v1/claims/"), 401, "authentication_failed", "Invalid token.")


def test_the_permission_checks_of_a_request_ask_no_query(editor, django_assert_num_queries):
    key = token_create(user=editor).key
    with django_assert_num_queries(1):
        user, token = TokenAuthentication().authenticate_credentials(key)
    assert token.key == key
    # PostgreSQL: the permissions came with the token; SQLite: read once, on the first check.
    with django_assert_num_queries(queries(postgresql=0, sqlite=1)):
        assert permissions.can_view_claims(user)
        assert permissions.is_editor(user) and permissions.can_export(user)
        assert permissions.can_triage(user) and permissions.can_assign(user)
        assert not user.has_perm("claims.delete_claim")


def test_a_role_taken_away_applies_to_the_next_request(checker):
    client = client_for(checker)
    assert client.get("/api/v1/claims/").status_code == 200
    checker.groups.clear()
    assert_error(client.get("/api/v1/claims/"), 403, "permission_denied", REFUSED)


def test_a_role_given_applies_to_the_next_request(checker):
    client = client_for(checker)
    assert client.get("/api/v1/exports/").status_code == 403
    checker.groups.add(Group.objects.get(name=EDITORS))
    assert client.get("/api/v1/exports/").status_code == 200


def test_a_permission_of_ones_own_counts_like_a_groups(direct, both):
    assert client_for(direct).get("/api/v1/claims/").status_code == 200
    assert client_for(direct).get("/api/v1/exports/").status_code == 403  # an editor's
    assert client_for(both).get("/api/v1/exports/").status_code == 200


def test_a_superuser_holds_every_permission(db):
    boss = get_user_model().objects.create_superuser("boss", password="x")
    assert client_for(boss).get("/api/v1/claims/").status_code == 200
    assert client_for(boss).get("/api/v1/exports/").status_code == 200


def test_a_deactivated_account_and_a_revoked_token_are_refused(checker):
    client = client_for(checker)
    checker.is_active = False
    checker.save(update_fields=["is_active"])
    assert_error(
        client.get("/api/v1/claims/"), 401, "authentication_failed", "User inactive or deleted."
    )
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert_error(stranger.get("/api/v1/claims/"), 401, "authentication_failed", "Invalid token.")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL")
def test_the_token_check_is_planned_once_per_connection(checker):
    """A prepared statement (settings: DATABASE_PREPARED_STATEMENTS), still fresh every time."""
    client = client_for(checker)
    assert client.get("/api/v1/claims/").status_code == 200
    assert client.get("/api/v1/claims/").status_code == 200
    assert any('FROM "authtoken_token"' in sql for sql in prepared_statements())
    checker.groups.clear()
    assert_error(client.get("/api/v1/claims/"), 403, "permission_denied", REFUSED)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL")
def test_without_prepared_statements_the_token_check_is_planned_each_time(checker, monkeypatch):
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    client = client_for(checker)
    assert client.get("/api/v1/claims/").status_code == 200
    assert prepared_statements() == []
    checker.groups.clear()
    assert_error(client.get("/api/v1/claims/"), 403, "permission_denied", REFUSED)
