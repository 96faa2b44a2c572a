"""Thin Celery tasks: ids in, one service call, explicit names. Safe to run twice.

Each runs under its job's lease (jobs.leases): a worker killed mid-job is noticed when the lease
runs out, and the sweeper (`claims.sweep_lost_work`) sends the job again. Services queue them
with `queue_*` (recorded in their transaction, sent after commit: the outbox).
"""

from celery import shared_task

from jobs import leases, scheduling
from jobs.retry import RETRY_TRANSIENT

from . import matching, recovery, services, state_counts

# The shared retry policy (jobs.retry) with this app's time limits.
RETRY = {**RETRY_TRANSIENT, "soft_time_limit": 300, "time_limit": 360}


def queue_extraction(article_id: int) -> None:
    leases.enqueue(recovery.EXTRACT, article_id, key=article_id)


def queue_fetch(article_id: int) -> None:
    leases.enqueue(recovery.FETCH, article_id, key=article_id)


@shared_task(name="claims.extract_claims", **RETRY)
def extract_claims(article_id: int) -> None:
    with leases.lease(recovery.EXTRACT, article_id) as job:
        if job is not None:
            services.article_extract_claims(article_id=article_id)


@shared_task(name="claims.fetch_article", **RETRY)
def fetch_article(article_id: int) -> None:
    with leases.lease(recovery.FETCH, article_id) as job:
        if job is not None:
            services.article_fetch(article_id=article_id)


@shared_task(name="claims.match_unmatched_claims", **RETRY)
def match_unmatched_claims(scheduled: bool = False) -> None:
    if scheduled and not scheduling.claim_slot("claims.match_unmatched_claims"):
        return
    matching.match_unmatched()


@shared_task(name="claims.sweep_lost_work", **{**RETRY, "soft_time_limit": 120})
def sweep_lost_work(scheduled: bool = False) -> dict | None:
    if scheduled and not scheduling.claim_slot("claims.sweep_lost_work"):
        return None
    return recovery.sweep()


@shared_task(name="claims.compact_state_counts", **{**RETRY, "soft_time_limit": 60})
def compact_state_counts(scheduled: bool = False) -> int | None:
    if scheduled and not scheduling.claim_slot("claims.compact_state_counts"):
        return None
    return state_counts.compact()
