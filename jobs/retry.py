"""The one retry policy for Celery jobs: only transient database trouble is retried.

A lost connection or a lock timeout is retried with backoff (2 + 4 + ... + 60 s, no jitter:
about 4 minutes), which outlasts a minute-long database outage; the lease sweeper covers anything
longer. Anything else is recorded by the service (a failed article says why) rather than retried.
Each task adds its own time limits: `@shared_task(**{**RETRY_TRANSIENT, "time_limit": ...})`.
"""

from django.db import InterfaceError, OperationalError

RETRY_TRANSIENT = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": False,
    "max_retries": 8,
}
