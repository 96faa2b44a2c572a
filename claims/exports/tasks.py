"""The background export job: ids in, one service call, explicit name; safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    name="claims.build_export",
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=3,
    # Large reports take a while; still well under the broker's visibility timeout.
    soft_time_limit=1500,
    time_limit=1560,
)
def build_export(self, export_id: int) -> None:
    try:
        services.export_build(export_id=export_id)
    except OperationalError:
        if self.request.retries >= self.max_retries:
            services.export_fail(
                export_id=export_id,
                message="The database was unavailable while building this export. Try again.",
            )
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
