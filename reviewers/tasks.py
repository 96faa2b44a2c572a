"""Thin Celery tasks over reviewers.services. Ids in, explicit names, safe to run twice.

Retries only for transient database errors (a lost connection, a lock timeout), with backoff.
"""

from celery import shared_task
from django.db import OperationalError

from . import notifications, services

RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 120,
    "max_retries": 5,
    "soft_time_limit": 240,
    "time_limit": 300,
    "ignore_result": True,
}
RUN_LIMIT = 200  # claims per run; a full run sends the next one, so a backlog drains at once


@shared_task(name="reviewers.assign_open_claims", **RETRY)
def assign_open_claims() -> int:
    run = services.assign_open_claims(limit=RUN_LIMIT)
    if run.assigned >= RUN_LIMIT:
        assign_open_claims.delay()
    return run.assigned


@shared_task(name="reviewers.remind_due", **RETRY)
def remind_due() -> int:
    return services.remind_due()


@shared_task(name="reviewers.expire_overdue", **RETRY)
def expire_overdue() -> int:
    return services.expire_overdue()


@shared_task(name="reviewers.sweep_stuck_claims", **RETRY)
def sweep_stuck_claims() -> dict:
    return services.sweep_stuck()


@shared_task(name="reviewers.email_notifications", **RETRY)
def email_notifications(notification_ids: list[int]) -> int:
    return notifications.send_emails(notification_ids=notification_ids)
