"""The session's user is read with their permissions in one query (claims.permissions
.session_user), and the session is checked exactly as Django checks it."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import permissions
from tests.vendor import postgresql_only, prepared_statements, queries

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=permissions.MODEL_BACKEND)
    return client


def user_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if '"password"' in q["sql"]]  # the user's row


def permission_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if 'FROM "auth_permission"' in q["sql"].split("ARRAY(")[0]]


def test_user_and_permissions_come_in_one_query(editor):
    client = signed_in(editor)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("claims:approvals"))
    assert response.status_code == 200  # an editor's page: the permissions were read
    assert len(user_queries(ctx.captured_queries)) == 1
    # With the user on PostgreSQL; SQLite's portable path reads them once more, in one query.
    assert len(permission_queries(ctx.captured_queries)) == queries(postgresql=0, sqlite=1)
    assert "Signed in as editor (editor)" in response.content.decode()


def test_a_permission_taken_away_applies_to_the_next_request(editor):
    client = signed_in(editor)
    assert client.get(reverse("claims:approvals")).status_code == 200
    editor.groups.remove(Group.objects.get(name=permissions.EDITORS))
    assert client.get(reverse("claims:approvals")).status_code == 403
    # and one granted to the user alone counts too
    editor.user_permissions.add(Permission.objects.get(codename="approve_verdict"))
    assert client.get(reverse("claims:approvals")).status_code == 200


def test_a_password_change_ends_other_sessions(editor):
    client = signed_in(editor)
    assert client.get(reverse("claims:claims")).status_code == 200
    editor.set_password("a new long passphrase 42")
    editor.save()
    response = client.get(reverse("claims:claims"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert SESSION_KEY not in client.session  # flushed, as Django does


def test_a_session_without_its_hash_is_refused(editor):
    client = signed_in(editor)
    session = client.session
    del session[HASH_SESSION_KEY]
    session.save()
    assert client.get(reverse("claims:claims")).status_code == 302


def test_an_inactive_or_deleted_user_is_signed_out(editor, checker):
    client = signed_in(editor)
    editor.is_active = False
    editor.save()
    assert client.get(reverse("claims:claims")).status_code == 302
    other = signed_in(checker)
    checker.delete()
    assert other.get(reverse("claims:claims")).status_code == 302


def test_a_hash_made_with_an_old_secret_is_renewed(editor, settings):
    with override_settings(SECRET_KEY="the-old-secret-" + "x" * 40):
        client = signed_in(editor)
        old_hash = client.session[HASH_SESSION_KEY]
    settings.SECRET_KEY_FALLBACKS = ["the-old-secret-" + "x" * 40]
    assert client.get(reverse("claims:claims")).status_code == 200
    assert client.session[HASH_SESSION_KEY] != old_hash
    assert client.session[HASH_SESSION_KEY] == editor.get_session_auth_hash()
    settings.SECRET_KEY_FALLBACKS = []
    assert client.get(reverse("claims:claims")).status_code == 200  # the new hash holds


def test_a_session_of_another_backend_is_djangos(editor):
    client = signed_in(editor)
    session = client.session
    session[BACKEND_SESSION_KEY] = "not.a.configured.Backend"
    session.save()
    response = client.get(reverse("claims:claims"))
    assert response.status_code == 302  # Django's get_user: a backend not configured, no user
    assert client.session.get(SESSION_KEY) == str(editor.pk)  # and Django does not flush it


def test_logout_ends_the_session(editor):
    client = signed_in(editor)
    assert client.get(reverse("claims:claims")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("claims:claims")).status_code == 302


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL")
def test_the_session_and_the_user_are_prepared_statements_still_read_fresh(editor):
    """Planned once per connection (factcheck/db.py), run fresh on every request: a logout
    elsewhere or a permission taken away still applies to the next request."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    client = signed_in(editor)
    assert client.get(reverse("claims:approvals")).status_code == 200
    assert client.get(reverse("claims:approvals")).status_code == 200
    prepared = prepared_statements()
    # One statement: the session, with the user it named before (test below).
    assert any('FROM "django_session" s LEFT JOIN "auth_user" u' in sql for sql in prepared), (
        prepared
    )
    editor.groups.remove(Group.objects.get(name=permissions.EDITORS))
    assert client.get(reverse("claims:approvals")).status_code == 403
    client.session.flush()  # the session row is gone: signed out
    client.cookies["sessionid"] = "gone-gone-gone-gone-gone"
    response = client.get(reverse("claims:approvals"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL")
def test_without_prepared_statements_the_session_and_user_are_planned_each_time(
    editor, monkeypatch
):
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    client = signed_in(editor)
    assert client.get(reverse("claims:approvals")).status_code == 200
    assert prepared_statements() == []


def test_a_session_cookie_with_a_nul_is_no_session(editor):
    """A forged cookie PostgreSQL could not even compare is a signed-out visitor, not a 500."""
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    response = client.get(reverse("claims:approvals"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def _approvals(client):
    return client.get(reverse("claims:approvals"))


@postgresql_only("the session's read brings its user along on PostgreSQL")
def test_a_session_is_read_with_its_user_in_one_statement(editor):
    """From the first page after signing in (the login names the session's user in this
    process); a session this process has not seen (signed in through another worker) reads
    its user apart once, then with the session."""
    client = signed_in(editor)

    def read():
        with CaptureQueriesContext(connection) as captured:
            response = _approvals(client)
        assert response.status_code == 200  # the permissions came: an editor's page
        assert "Signed in as editor (editor)" in response.content.decode()
        sessions = [q["sql"] for q in captured.captured_queries if "django_session" in q["sql"]]
        assert len(sessions) == 1
        return sessions[0], user_queries(captured.captured_queries)

    session, users = read()
    assert '"password"' in session and users == [session]  # no query of the user's own
    permissions._SESSION_USERS.pop(client.session.session_key)
    session, users = read()
    assert '"password"' not in session and len(users) == 1
    assert users[0].startswith('SELECT u."id"')
    session, users = read()
    assert '"password"' in session and users == [session]


@postgresql_only("the session's read brings its user along on PostgreSQL")
@pytest.mark.parametrize(
    "change", ["inactive", "deleted", "expired", "permission", "password", "another user"]
)
def test_a_session_read_with_its_user_is_still_checked_as_django_checks_it(editor, checker, change):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = signed_in(editor)
    assert _approvals(client).status_code == 200  # seen: the next read brings the user
    key = client.session.session_key
    assert permissions._SESSION_USERS[key] == editor.pk
    if change == "inactive":
        editor.is_active = False
        editor.save()
    elif change == "deleted":
        editor.delete()
    elif change == "expired":
        Session.objects.filter(session_key=key).update(expire_date=timezone.now())
    elif change == "permission":
        editor.groups.remove(Group.objects.get(name=permissions.EDITORS))
    elif change == "password":
        editor.set_password("a new long passphrase 42")
        editor.save()
    else:
        # The process's guess names someone else (it is only a guess): the session decides.
        permissions._SESSION_USERS[key] = checker.pk
    response = _approvals(client)
    if change == "permission":
        assert response.status_code == 403
    elif change == "another user":
        assert response.status_code == 200
        assert "Signed in as editor (editor)" in response.content.decode()
        assert permissions._SESSION_USERS[key] == editor.pk
    else:
        assert response.status_code == 302 and "/login/" in response["Location"]
    if change == "password":
        assert SESSION_KEY not in client.session  # flushed, as Django does
