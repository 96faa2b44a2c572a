"""Thin Celery tasks over reviewers.services. Ids in, explicit names, safe to run twice.

Retries only for transient database errors (a lost connection, a lock timeout), with backoff
whose budget (about 4 minutes, no jitter) outlasts a minute-long database outage. Periodic jobs
take `scheduled=True` from beat and claim their slot first (jobs.scheduling): a second beat
doubles nothing.
"""

from celery import shared_task

from jobs import scheduling
from jobs.retry import RETRY_TRANSIENT

from . import notifications, recovery, services

# The shared retry policy (jobs.retry) with this app's time limits.
RETRY = {
    **RETRY_TRANSIENT,
    "soft_time_limit": 240,
    "time_limit": 300,
    "ignore_result": True,
}
RUN_LIMIT = 200  # claims per run; a full run sends the next one, so a backlog drains at once


def _skip(name: str, scheduled: bool) -> bool:
    return scheduled and not scheduling.claim_slot(name)


@shared_task(name="reviewers.assign_open_claims", **RETRY)
def assign_open_claims(scheduled: bool = False) -> int:
    if _skip("reviewers.assign_open_claims", scheduled):
        return 0
    run = services.assign_open_claims(limit=RUN_LIMIT)
    if run.assigned >= RUN_LIMIT:
        assign_open_claims.delay()
    return run.assigned


@shared_task(name="reviewers.remind_due", **RETRY)
def remind_due(scheduled: bool = False) -> int:
    if _skip("reviewers.remind_due", scheduled):
        return 0
    return services.remind_due()


@shared_task(name="reviewers.expire_overdue", **RETRY)
def expire_overdue(scheduled: bool = False) -> int:
    if _skip("reviewers.expire_overdue", scheduled):
        return 0
    return services.expire_overdue()


@shared_task(name="reviewers.sweep_stuck_claims", **RETRY)
def sweep_stuck_claims(scheduled: bool = False) -> dict | None:
    if _skip("reviewers.sweep_stuck_claims", scheduled):
        return None
    result = recovery.sweep()
    if result["unsent"]:
        # Each notification is marked emailed before it is sent: a copy queued twice sends once.
        email_notifications.delay(result.pop("unsent"))
    return result


@shared_task(name="reviewers.email_notifications", **RETRY)
def email_notifications(notification_ids: list[int]) -> int:
    return notifications.send_emails(notification_ids=notification_ids)
