import uuid

import pytest
from rest_framework.test import APIClient

from claims.api.tokens import token_create
from claims.models import Claim

S = Claim.State


@pytest.fixture(autouse=True)
def own_cache_namespace(settings):
    """Throttle counters per test: the same cache backend (Redis in CI), a fresh key prefix."""
    caches = {name: dict(conf) for name, conf in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


def client_for(user=None) -> APIClient:
    """An API client signed in with a real token (None: anonymous)."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user).key}")
    return client


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def as_editor(editor):
    return client_for(editor)


@pytest.fixture
def as_checker(checker):
    return client_for(checker)


@pytest.fixture
def as_checker2(checker2):
    return client_for(checker2)
