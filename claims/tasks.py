"""Thin Celery tasks: ids in, one service call, explicit names. Safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    name="claims.extract_claims",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=300,
    time_limit=360,
)
def extract_claims(article_id: int) -> None:
    services.article_extract_claims(article_id=article_id)


@shared_task(
    name="claims.fetch_article",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=300,
    time_limit=360,
)
def fetch_article(article_id: int) -> None:
    services.article_fetch(article_id=article_id)


@shared_task(
    name="claims.match_unmatched_claims",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=300,
    time_limit=360,
)
def match_unmatched_claims() -> None:
    from . import matching

    matching.match_unmatched()
