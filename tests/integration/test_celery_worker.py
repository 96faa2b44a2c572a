"""A real Celery worker against the configured broker (Redis in CI, the filesystem otherwise)."""

import pytest

from claims import services
from claims.models import Article, Claim
from tests.waiting import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_worker_extracts_claims_of_a_new_article(celery_worker):
    article, created = services.article_create_from_text(
        text="The ministry said exports rose 12% in 2025. Analysts said the rise was smaller."
    )
    assert created
    # The extraction job was sent on commit; the worker picks it up and files the claims.
    assert wait_for(lambda: Article.objects.get(pk=article.pk).status == Article.Status.READY)
    assert Claim.objects.filter(article=article).count() == 2
