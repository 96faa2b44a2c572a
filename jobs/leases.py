"""Leases and the outbox: background work that survives a lost message, a killed worker or a
flushed broker.

- `enqueue(name, *args, key=...)`: record the job in the caller's transaction and send it once
  that commits. A send that fails (the broker is down) leaves the row due, and the sweeper sends
  it when the broker is back: a committed change never loses its follow-up job.
- `lease(name, key)`: a task's body runs under it. It marks the job running with a short lease
  that a thread renews while the body works; a killed worker stops renewing, the lease runs out,
  and `sweep` sends the job again. A job whose runs keep dying (`JOB_MAX_LOST`) is failed, and its
  app's give-up handler records the reason where people look (the article, the export).
- `sweep(prefix)`: what each app's sweeper calls, every `JOB_SWEEP_SECONDS`. A queued job is sent
  again only once its lease runs out, and each send doubles the wait, so a backlog waiting in the
  broker is not queued again at every sweep.

Tasks are idempotent (the domain rows say what is done), so a job sent twice does no harm; the
lease only keeps the second copy from running while the first is alive.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

from django.conf import settings
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.utils import timezone

from .models import Job

logger = logging.getLogger(__name__)

_give_up_handlers: dict[str, Callable[[str, str], None]] = {}


def holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"  # the pid changes in forked pool children


def lease_seconds() -> int:
    return int(getattr(settings, "JOB_LEASE_SECONDS", 45))


def max_lost() -> int:
    return int(getattr(settings, "JOB_MAX_LOST", 3))


def on_give_up(task_name: str):
    """Register what to do when a job of this task is failed for good: `handler(key, reason)`.
    It runs in the sweeper's transaction or the task's, so it commits with the job's failure."""

    def register(handler: Callable[[str, str], None]):
        _give_up_handlers[task_name] = handler
        return handler

    return register


# --- Sending (the outbox) ---------------------------------------------------------------------


def send(name: str, args: list) -> bool:
    """Publish a task message; False (logged) when the broker cannot be reached."""
    from celery import current_app

    try:
        try:
            current_app.send_task(name, args=list(args))
        except RuntimeError:
            # A producer pool closed under us (kombu's pools reset, a fork): take fresh pools
            # and try once more rather than failing every later send of this process.
            current_app._pool = None
            current_app.amqp._producer_pool = None
            current_app.send_task(name, args=list(args))
    except Exception as exc:  # any failure to publish: the job row is the truth
        # Broker errors, and anything else that stops the publish (a producer pool closed under
        # us, say): the write that recorded the job has committed and must answer success.
        logger.warning("could not queue %s%s (kept for the sweeper): %s", name, tuple(args), exc)
        return False
    return True


def _send_after_commit(job_id: int, name: str, args: list) -> None:
    if not send(name, args):
        # Due at once: the next sweep sends it (once the broker is back).
        with contextlib.suppress(Exception):
            Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(lease_until=timezone.now())


def enqueue(name: str, *args, key: str | int) -> Job:
    """Record a job in the current transaction; send it after commit (at once outside one)."""
    now = timezone.now()
    key = str(key)
    fields = {
        "args": list(args),
        "state": Job.State.QUEUED,
        "lease_until": now + timedelta(seconds=lease_seconds()),
        "holder": "",
        "lost": 0,
        "dispatches": 0,
        "error": "",
        "finished_at": None,
    }
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(task=name, key=key).first()
        if job is None:
            try:
                with transaction.atomic():
                    job = Job.objects.create(task=name, key=key, **fields)
            except IntegrityError:  # enqueued at the same moment elsewhere: one row
                job = Job.objects.select_for_update().get(task=name, key=key)
        if job.state != Job.State.RUNNING or job.lease_until is None or job.lease_until < now:
            # A running job keeps its lease (and its holder); the new message runs after it.
            for field, value in fields.items():
                setattr(job, field, value)
            job.save()
        job_id, job_args = job.pk, list(args)
        transaction.on_commit(lambda: _send_after_commit(job_id, name, job_args))
    return job


# --- Running under a lease ----------------------------------------------------------------------


class _Heartbeat(threading.Thread):
    """Renews a running job's lease every third of it, on its own database connection."""

    def __init__(self, job_id: int, me: str):
        super().__init__(name=f"lease-{job_id}", daemon=True)
        self.job_id, self.me = job_id, me
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(max(1.0, lease_seconds() / 3)):
                try:
                    Job.objects.filter(
                        pk=self.job_id, holder=self.me, state=Job.State.RUNNING
                    ).update(lease_until=timezone.now() + timedelta(seconds=lease_seconds()))
                except Exception:  # the database is away: the lease may run out; that is fine
                    logger.warning("could not renew the lease of job %s", self.job_id)
                    close_old_connections()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


def _start(name: str, key: str, args: list, me: str) -> tuple[Job | None, str | None]:
    """Take the lease. (job, None) to run; (None, reason) when the job was given up now;
    (None, None) when another live holder has it."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(task=name, key=key).first()
        if job is None:  # sent without enqueue (an older message, a script): adopt it
            try:
                with transaction.atomic():
                    job = Job.objects.create(task=name, key=key, args=args)
            except IntegrityError:
                job = Job.objects.select_for_update().get(task=name, key=key)
        alive = job.state == Job.State.RUNNING and job.lease_until and job.lease_until > now
        if alive and job.holder != me:
            return None, None  # alive elsewhere; the broker delivered a second copy
        if job.state == Job.State.RUNNING:  # its last holder died (or is this message again)
            job.lost += 1
        if job.lost >= max_lost():
            reason = give_up_reason(job)
            _fail(job, reason, now)
            return None, reason
        job.state = Job.State.RUNNING
        job.holder = me
        job.attempts += 1
        job.lease_until = now + timedelta(seconds=lease_seconds())
        job.save(update_fields=["state", "holder", "attempts", "lost", "lease_until", "updated_at"])
    return job, None


def give_up_reason(job: Job) -> str:
    last = f" (last on {job.holder})" if job.holder else ""
    return (
        f"The background job stopped {job.lost} times without finishing{last}: its worker was "
        "killed or ran out of memory. It was given up; try again, or ask an administrator to "
        "look at the worker's log."
    )


def _fail(job: Job, reason: str, now) -> None:
    job.state = Job.State.FAILED
    job.error = reason[:2000]
    job.finished_at = now
    job.lease_until = None
    job.save()
    handler = _give_up_handlers.get(job.task)
    if handler is not None:
        handler(job.key, reason)
    logger.error("job %s(%s) given up: %s", job.task, job.key, reason)


@contextlib.contextmanager
def lease(
    name: str,
    key: str | int,
    *,
    args: list | None = None,
    retry_on: tuple = (OperationalError, InterfaceError),
    retry_wait: float | None = None,
) -> Iterator[Job | None]:
    """Run a task's body under the job's lease. Yields None when the body must not run (another
    live worker holds it, or it was just given up). On a `retry_on` error Celery tries again;
    the job waits `retry_wait` seconds (default four leases) before the sweeper may send it."""
    me = holder()
    key = str(key)
    if args is None:  # the usual task: one id in
        args = [int(key)] if key.isdigit() else [key]
    job, _ = _start(name, key, list(args), me)
    if job is None:
        yield None
        return
    beat = _Heartbeat(job.pk, me)
    beat.start()
    try:
        yield job
    except retry_on:
        # Celery tries again (with backoff); if that message is lost too, the sweeper sends it.
        beat.stop()
        with contextlib.suppress(Exception):
            Job.objects.filter(pk=job.pk, holder=me).update(
                state=Job.State.QUEUED,
                lease_until=timezone.now() + timedelta(seconds=retry_wait or 4 * lease_seconds()),
            )
        raise
    except BaseException as exc:
        beat.stop()
        # The service recorded what went wrong where people look; the job is over.
        with contextlib.suppress(Exception):
            Job.objects.filter(pk=job.pk, holder=me).update(
                state=Job.State.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=timezone.now(),
                lease_until=None,
            )
        raise
    beat.stop()
    Job.objects.filter(pk=job.pk, holder=me).update(
        state=Job.State.DONE, finished_at=timezone.now(), lease_until=None, error=""
    )


# --- The sweeper ----------------------------------------------------------------------------


def sweep(*, prefix: str, batch: int = 500) -> dict:
    """Send again the jobs (task names starting with `prefix`) whose lease ran out; fail those
    whose runs kept dying. Safe to run twice at once (SKIP LOCKED; a sent job's lease moves on)."""
    now = timezone.now()
    base = lease_seconds()
    sent, failed = [], 0
    with transaction.atomic():
        due = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(
                task__startswith=prefix,
                state__in=[Job.State.QUEUED, Job.State.RUNNING],
                lease_until__lt=now,
            )
            .order_by("lease_until")[:batch]
        )
        for job in due:
            if job.state == Job.State.RUNNING:
                job.lost += 1
            if job.lost >= max_lost():
                _fail(job, give_up_reason(job), now)
                failed += 1
                continue
            job.state = Job.State.QUEUED
            job.dispatches += 1
            # 1, 2, 4, ... leases (at most an hour) before it is sent yet again: a job waiting
            # behind a backlog is not queued once more at every sweep.
            wait = min(3600, base * 2 ** min(job.dispatches - 1, 10))
            job.lease_until = now + timedelta(seconds=wait)
            job.save(update_fields=["state", "lost", "dispatches", "lease_until", "updated_at"])
            sent.append((job.pk, job.task, job.args))
        for job_id, name, args in sent:
            transaction.on_commit(
                lambda job_id=job_id, name=name, args=args: _send_after_commit(job_id, name, args)
            )
    # Finished jobs are kept a week for the record, then pruned.
    Job.objects.filter(
        task__startswith=prefix,
        state__in=[Job.State.DONE, Job.State.FAILED],
        finished_at__lt=now - timedelta(days=7),
    ).delete()
    if sent or failed:
        logger.info("sweep %s: %s sent again, %s given up", prefix, len(sent), failed)
    return {"sent": len(sent), "failed": failed}


def keys_of(names: list[str]):
    """The ids (as integers) that jobs of these tasks work on: a subquery."""
    from django.db.models import BigIntegerField
    from django.db.models.functions import Cast

    return (
        Job.objects.filter(task__in=names)
        .annotate(id_key=Cast("key", BigIntegerField()))
        .values("id_key")
    )
