"""What the broker may lose, kept where it cannot be lost.

- `Job`: one row per piece of background work (a task name and the key of what it works on),
  written in the same transaction as the change that needs it (the outbox). It holds the lease:
  who runs it and until when; a running job renews its lease while it works. The sweeper sends
  again a job whose lease ran out, and gives up on one whose runs keep dying.
- `ScheduledRun`: one row per periodic job and beat slot, so that a second beat (started by
  mistake) doubles nothing.
- `WorkerHeartbeat`: each worker process's last sign of life, for healthz.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    task = models.CharField(max_length=200, help_text="The Celery task's name.")
    key = models.CharField(max_length=100, help_text="What it works on (an id).")
    args = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    lease_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Queued: sent again after this. Running: its holder is presumed dead after this.",
    )
    holder = models.CharField(max_length=200, blank=True, help_text="host:pid running it.")
    attempts = models.PositiveIntegerField(default=0, help_text="Runs started.")
    lost = models.PositiveIntegerField(default=0, help_text="Runs that died without finishing.")
    dispatches = models.PositiveIntegerField(default=0, help_text="Times the sweeper sent it.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "key"], name="job_unique_task_key")]
        indexes = [
            models.Index(
                fields=["lease_until"],
                condition=Q(state__in=["queued", "running"]),
                name="job_active_lease",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task}({self.key}) {self.state}"


class ScheduledRun(models.Model):
    job = models.CharField(max_length=200)
    slot = models.DateTimeField(help_text="Start of the beat period this run belongs to.")
    started_at = models.DateTimeField(default=timezone.now)
    holder = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_unique_slot")
        ]

    def __str__(self) -> str:
        return f"{self.job} at {self.slot:%Y-%m-%d %H:%M:%S}"


class WorkerHeartbeat(models.Model):
    worker = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.worker
