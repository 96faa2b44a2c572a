"""Shared helpers for the integrity tests: people, the doors (dashboard, API, admin), and a claim
at any point of the workflow."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from claims import workflow
from claims.models import Claim
from tests.api.conftest import client_for
from tests.factories import ClaimFactory, claim_in, rating

S = Claim.State


def dashboard(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def post_action(client: Client, claim: Claim, action: str, data: dict, *, follow=False):
    claim.refresh_from_db()
    return client.post(
        reverse("claims:claim_action", args=[claim.pk, action]),
        {"version": claim.version, **data},
        follow=follow,
    )


def api(user):
    client = client_for(user)
    client.default_format = "json"
    return client


def detail(response) -> str:
    return response.json()["detail"]


def fresh(claim: Claim) -> Claim:
    return Claim.objects.get(pk=claim.pk)


@pytest.fixture
def draft_by_checker(editor, checker):
    """A claim the checker is working on, with their unfinished draft."""
    claim = claim_in(S.ASSIGNED, editor=editor, checker=checker)
    workflow.verdict_save_draft(
        claim_id=claim.pk,
        actor=checker,
        rating_id=rating("true").pk,
        summary="CHECKER'S UNFINISHED DRAFT",
        rationale="half-checked notes",
    )
    return fresh(claim)


@pytest.fixture
def published(editor, checker):
    return claim_in(S.PUBLISHED, editor=editor, checker=checker)


__all__ = ["ClaimFactory"]


@pytest.fixture(autouse=True)
def own_cache_namespace(settings):
    """Throttle counters per test: the same cache backend (Redis in CI), a fresh key prefix."""
    caches = {name: dict(conf) for name, conf in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches
