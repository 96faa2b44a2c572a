"""The Celery application, configured from Django settings (CELERY_* names).

Recovery (README "Recovery"): PostgreSQL is the truth and the broker may lose anything. Jobs are
recorded with a lease in PostgreSQL (jobs/leases.py) and the sweepers send again what a lost
message or a killed worker left; the settings below make the broker's own redelivery a fast path
for the common case (a pool process killed), never the only one.
"""

import logging
import os

from celery import Celery, Task
from celery.signals import worker_ready, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
logger = logging.getLogger(__name__)


def _broker_errors() -> tuple[type[BaseException], ...]:
    """What a publish raises when the broker is down or restarting (kombu wraps most of it)."""
    from kombu.exceptions import KombuError

    errors: tuple[type[BaseException], ...] = (KombuError, OSError, ConnectionError, TimeoutError)
    try:
        from redis.exceptions import RedisError
    except ImportError:  # the filesystem broker needs no redis
        return errors
    return (*errors, RedisError)


BROKER_ERRORS = _broker_errors()


class OutboxTask(Task):
    """`.delay()` never fails the caller when the broker is down: the write that asked for the job
    has committed, and the job is in PostgreSQL (a Job row, or the domain row's state) for the
    sweepers to send once the broker is back. Logged, never raised."""

    def apply_async(self, *args, **kwargs):
        try:
            return super().apply_async(*args, **kwargs)
        except BROKER_ERRORS as exc:
            if self.app.conf.task_always_eager:
                raise
            logger.warning("could not queue %s (left for the sweeper): %s", self.name, exc)
            return None


app = Celery("factcheck", task_cls=OutboxTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # A job killed halfway is delivered again; every task is idempotent, so that is safe.
    # acks_late + reject_on_worker_lost: a pool process killed mid-job (OOM, kill -9) has its
    # message requeued at once; a whole worker killed leaves it unacknowledged until the
    # visibility timeout, and the lease sweeper sends it well before that.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # When the broker connection drops, running jobs finish: their results are in PostgreSQL and
    # the redelivered copy finds them done (idempotent). Cancelling them would throw the work away
    # and leave it to the sweeper.
    worker_cancel_long_running_tasks_on_connection_loss=False,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    task_ignore_result=True,
    result_backend=None,
    # Workers and beat reconnect by themselves, forever: a broker outage is waited out.
    broker_connection_retry_on_startup=True,
    broker_connection_retry=True,
    broker_connection_max_retries=None,
    # A web request that queues a job while the broker is down answers within a few seconds.
    broker_connection_timeout=3,
    task_publish_retry_policy={
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.5,
        "interval_max": 1,
    },
    worker_hijack_root_logger=False,
    # Worker processes started by tests pass their own queue, so that the tasks they send
    # (follow-up runs, emails) stay on it.
    task_default_queue=os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "factcheck"),
)
app.autodiscover_tasks()

_heartbeat_stop = None


@worker_ready.connect
def _start_worker_heartbeat(sender=None, **kwargs):
    """A heartbeat row per worker (healthz's worker liveness)."""
    global _heartbeat_stop
    from jobs.workers import start_heartbeat

    _heartbeat_stop = start_heartbeat(getattr(sender, "hostname", None) or "worker")


@worker_shutdown.connect
def _stop_worker_heartbeat(**kwargs):
    if _heartbeat_stop is not None:
        _heartbeat_stop.set()
