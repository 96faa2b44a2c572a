"""Thin Celery tasks: ids in, one service call, explicit names. Safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from . import matching, services

# Only transient database trouble is retried, with backoff; anything else is recorded by the
# service (a failed article says why) rather than retried.
RETRY_TRANSIENT = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 5,
    "soft_time_limit": 300,
    "time_limit": 360,
}


@shared_task(name="claims.extract_claims", **RETRY_TRANSIENT)
def extract_claims(article_id: int) -> None:
    services.article_extract_claims(article_id=article_id)


@shared_task(name="claims.fetch_article", **RETRY_TRANSIENT)
def fetch_article(article_id: int) -> None:
    services.article_fetch(article_id=article_id)


@shared_task(name="claims.match_unmatched_claims", **RETRY_TRANSIENT)
def match_unmatched_claims() -> None:
    matching.match_unmatched()
