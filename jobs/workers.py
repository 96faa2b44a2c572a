"""Worker liveness for orchestration: each worker's main process writes a heartbeat row every
`WORKER_HEARTBEAT_SECONDS`; healthz counts the workers seen lately."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def interval() -> float:
    return float(getattr(settings, "WORKER_HEARTBEAT_SECONDS", 15))


def beat(worker: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker=worker[:200], defaults={"seen_at": timezone.now()}
    )


def start_heartbeat(worker: str) -> threading.Event:
    stop = threading.Event()

    def run() -> None:
        while True:
            try:
                beat(worker)
            except Exception:  # the database is away; the worker itself carries on
                logger.warning("worker heartbeat not recorded (database unreachable?)")
            finally:
                connection.close()  # no connection held open across a pool fork
            if stop.wait(interval()):
                return

    threading.Thread(target=run, name="worker-heartbeat", daemon=True).start()
    return stop


def alive(*, within: float | None = None) -> list[str]:
    within = within if within is not None else 4 * interval()
    since = timezone.now() - timedelta(seconds=within)
    return list(
        WorkerHeartbeat.objects.filter(seen_at__gte=since)
        .order_by("worker")
        .values_list("worker", flat=True)
    )
