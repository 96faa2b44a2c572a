"""The dashboard's role checks (claims.permissions) answer what Django's `user.has_perm`
answers through the configured backends, for every permission and every kind of user, and a
role taken away applies to the next request."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group, Permission

from claims import permissions
from tests.factories import UserFactory, editor, fact_checker

pytestmark = pytest.mark.django_db


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)  # no permission read yet


def test_every_check_is_has_perm_for_every_kind_of_user():
    own = UserFactory(username="own")  # a permission of their own, no group
    own.user_permissions.add(Permission.objects.get(codename="approve_verdict"))
    inactive = editor("gone")
    inactive.is_active = False
    inactive.save()
    both = fact_checker("both")
    both.groups.add(Group.objects.get(name="Editors"))
    users = [
        editor("ed"),
        fact_checker("fc"),
        both,
        own,
        inactive,
        UserFactory(username="nobody"),
        UserFactory(username="root", is_superuser=True),
    ]
    perms = [
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    ] + ["claims.no_such_permission"]
    for user in users:
        ours, django = _fresh(user), _fresh(user)
        for perm in perms:
            assert permissions._has(ours, perm) == django.has_perm(perm), (user, perm)
    assert permissions.is_editor(_fresh(own)) and not permissions.is_fact_checker(_fresh(own))
    assert not permissions.is_editor(_fresh(inactive))
    assert permissions.is_editor(_fresh(both)) and permissions.is_fact_checker(_fresh(both))
    assert not permissions._has(AnonymousUser(), "claims.work_claim")
    assert not permissions._has(None, "claims.work_claim")


def test_a_role_taken_away_applies_to_the_next_request(client):
    user = editor("ed")
    client.force_login(user)
    assert client.get("/approvals/").status_code == 200
    user.groups.clear()
    response = client.get("/approvals/")
    assert response.status_code == 403
