"""Thin Celery tasks: ids in, one service call, explicit names. Safe to run twice.

Each runs under its job's lease (jobs.leases): a worker killed mid-job is noticed when the lease
runs out, and the sweeper (`claims.sweep_lost_work`) sends the job again. Services queue them
with `queue_*` (recorded in their transaction, sent after commit: the outbox).
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from jobs import leases, scheduling

from . import matching, recovery, services

# Only transient database trouble is retried, with backoff; anything else is recorded by the
# service (a failed article says why) rather than retried. The budget (2 + 4 + ... + 60 s, no
# jitter: about 4 minutes) outlasts a minute-long database outage; the lease sweeper covers
# anything longer.
RETRY_TRANSIENT = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": False,
    "max_retries": 8,
    "soft_time_limit": 300,
    "time_limit": 360,
}


def queue_extraction(article_id: int) -> None:
    leases.enqueue(recovery.EXTRACT, article_id, key=article_id)


def queue_fetch(article_id: int) -> None:
    leases.enqueue(recovery.FETCH, article_id, key=article_id)


@shared_task(name="claims.extract_claims", **RETRY_TRANSIENT)
def extract_claims(article_id: int) -> None:
    with leases.lease(recovery.EXTRACT, article_id) as job:
        if job is not None:
            services.article_extract_claims(article_id=article_id)


@shared_task(name="claims.fetch_article", **RETRY_TRANSIENT)
def fetch_article(article_id: int) -> None:
    with leases.lease(recovery.FETCH, article_id) as job:
        if job is not None:
            services.article_fetch(article_id=article_id)


@shared_task(name="claims.match_unmatched_claims", **RETRY_TRANSIENT)
def match_unmatched_claims(scheduled: bool = False) -> None:
    if scheduled and not scheduling.claim_slot("claims.match_unmatched_claims"):
        return
    matching.match_unmatched()


@shared_task(name="claims.sweep_lost_work", **{**RETRY_TRANSIENT, "soft_time_limit": 120})
def sweep_lost_work(scheduled: bool = False) -> dict | None:
    if scheduled and not scheduling.claim_slot("claims.sweep_lost_work"):
        return None
    return recovery.sweep()
