"""The Celery application, configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

app = Celery("factcheck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # A job killed halfway is delivered again; every task is idempotent, so that is safe.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    task_ignore_result=True,
    result_backend=None,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    # Worker processes started by tests pass their own queue, so that the tasks they send
    # (follow-up runs, emails) stay on it.
    task_default_queue=os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "factcheck"),
)
app.autodiscover_tasks()
