"""Thin Celery tasks over reviewers.services. Ids in, explicit names, safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from . import services

RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 120,
    "max_retries": 5,
    "soft_time_limit": 240,
    "time_limit": 300,
}


@shared_task(name="reviewers.assign_open_claims", **RETRY)
def assign_open_claims() -> None:
    services.assign_open_claims()


@shared_task(name="reviewers.remind_due", **RETRY)
def remind_due() -> None:
    services.remind_due()


@shared_task(name="reviewers.expire_overdue", **RETRY)
def expire_overdue() -> None:
    services.expire_overdue()


@shared_task(name="reviewers.sweep_stuck_claims", **RETRY)
def sweep_stuck_claims() -> None:
    services.sweep_stuck()
