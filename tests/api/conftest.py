import uuid

import pytest
from rest_framework.test import APIClient

from claims import workflow
from claims.api.tokens import token_create
from claims.models import Claim
from tests.factories import ClaimFactory, rating

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


def claim_in(state: str, *, editor, checker, **factory_kwargs) -> Claim:
    """A claim brought to `state` through the workflow, as people would (checker assigned)."""
    start = S.CANDIDATE if state in {S.CANDIDATE, S.DISMISSED} else S.OPEN
    claim = ClaimFactory(state=start, **factory_kwargs)
    cid = claim.pk
    if state == S.DISMISSED:
        workflow.claim_dismiss(claim_id=cid, actor=editor, reason="opinion")
    path = [S.ASSIGNED, S.IN_REVIEW, S.SUBMITTED, S.APPROVED, S.PUBLISHED]
    steps = {
        S.ASSIGNED: lambda: workflow.claim_assign(claim_id=cid, assignee=checker, actor=editor),
        S.IN_REVIEW: lambda: workflow.claim_start(claim_id=cid, actor=checker),
        S.SUBMITTED: lambda: (
            workflow.verdict_save_draft(
                claim_id=cid, actor=checker, rating_id=rating().pk, summary="Not so."
            ),
            workflow.claim_submit(claim_id=cid, actor=checker),
        ),
        S.APPROVED: lambda: workflow.claim_approve(claim_id=cid, actor=editor, note="ok"),
        S.PUBLISHED: lambda: workflow.claim_publish(claim_id=cid, actor=editor),
    }
    if state in path:
        for step in path:
            steps[step]()
            if step == state:
                break
    return Claim.objects.get(pk=cid)
