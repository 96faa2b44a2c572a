"""The background export job: ids in, one service call, explicit name; safe to run twice.

It runs under the export's lease (jobs.leases): a worker killed mid-export leaves the lease to
run out and the claims sweeper sends the job again; after JOB_MAX_LOST deaths the export is
failed with the reason (claims/recovery.py).
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from claims import recovery
from jobs import leases
from jobs.retry import RETRY_TRANSIENT

from . import services

logger = logging.getLogger(__name__)


def queue_build(export_id: int) -> None:
    """Record the export's job in the caller's transaction; sent after commit (the outbox)."""
    leases.enqueue(recovery.BUILD_EXPORT, export_id, key=export_id)


@shared_task(
    name="claims.build_export",
    bind=True,
    **{
        **RETRY_TRANSIENT,
        # Large reports take a while; still well under the broker's visibility timeout.
        "soft_time_limit": 1500,
        "time_limit": 1560,
    },
)
def build_export(self, export_id: int) -> None:
    try:
        with leases.lease(recovery.BUILD_EXPORT, export_id) as job:
            if job is not None:
                services.export_build(export_id=export_id)
    except (OperationalError, InterfaceError):
        if self.request.retries >= self.max_retries:
            # The database is back by now or the sweeper records the failure later.
            try:
                services.export_fail(
                    export_id=export_id,
                    message="The database was unavailable while building this export. Try again.",
                )
            except (OperationalError, InterfaceError):
                logger.warning("Export %s: database still unavailable.", export_id)
        raise
    except SoftTimeLimitExceeded:
        services.export_fail(
            export_id=export_id,
            message="This export took too long. Narrow the filters or choose a lighter format.",
        )
    except Exception:
        logger.exception("Export %s failed.", export_id)
        services.export_fail(
            export_id=export_id,
            message="The export failed unexpectedly; the error was logged. Try again later.",
        )
