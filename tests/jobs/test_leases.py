"""Leases, the outbox, the sweepers and beat slots (jobs/, claims/recovery.py,
reviewers/recovery.py). The same paths with real processes: tests/integration/test_recovery.py."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from claims import recovery, services
from claims.exports import services as export_services
from claims.models import Article, Export
from jobs import leases, scheduling
from jobs.models import Job, ScheduledRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    """What would have gone to the broker: [(task name, args)]."""
    messages = []

    def send(name, args):
        messages.append((name, list(args)))
        return True

    with mock.patch.object(leases, "send", side_effect=send):
        yield messages


def expire(job: Job, *, running: bool = False, lost: int | None = None) -> None:
    job.lease_until = timezone.now() - timedelta(seconds=1)
    if running:
        job.state, job.holder = Job.State.RUNNING, "gone-host:123"
    if lost is not None:
        job.lost = lost
    job.save()


def test_a_new_article_records_its_job_and_sends_it_after_commit(
    sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        article, _ = services.article_create_from_text(text="Exports rose 12% in 2025.")
        assert sent == []  # nothing leaves before the commit
        job = Job.objects.get(task="claims.extract_claims", key=str(article.pk))
        assert job.state == Job.State.QUEUED and job.lease_until > timezone.now()
    assert len(callbacks) == 1
    assert sent == [("claims.extract_claims", [article.pk])]


def test_a_send_the_broker_refuses_leaves_the_job_due_and_the_write_stands(
    django_capture_on_commit_callbacks,
):
    with (
        mock.patch.object(leases, "send", return_value=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        article, created = services.article_create_from_text(text="Imports fell 3% in 2024.")
    assert created and Article.objects.filter(pk=article.pk).exists()
    job = Job.objects.get(task="claims.extract_claims", key=str(article.pk))
    assert job.state == Job.State.QUEUED and job.lease_until <= timezone.now()


def test_the_broker_down_never_fails_the_caller():
    """A real send to a broker that does not answer: logged, False, no exception."""
    from tests.integration.processes import broker, free_port

    with broker(f"redis://127.0.0.1:{free_port(6490)}/0"):
        assert leases.send("claims.extract_claims", [1]) is False
        from claims.tasks import extract_claims

        assert extract_claims.delay(1) is None  # OutboxTask: the sweepers send it later


def test_the_sweeper_sends_a_lost_job_again_once_per_lease_not_every_sweep(
    sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article, _ = services.article_create_from_text(text="Wages rose 4% in 2023.")
    sent.clear()
    job = Job.objects.get(task="claims.extract_claims")
    expire(job)
    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.sweep()["sent"] == 1
    assert sent == [("claims.extract_claims", [article.pk])]
    job.refresh_from_db()
    assert job.dispatches == 1 and job.lease_until > timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.sweep()["sent"] == 0  # still waiting in the broker's queue: left alone
    assert len(sent) == 1
    # The next wait is twice as long.
    expire(job)
    with django_capture_on_commit_callbacks(execute=True):
        recovery.sweep()
    job.refresh_from_db()
    wait = (job.lease_until - timezone.now()).total_seconds()
    assert job.dispatches == 2 and wait > 1.5 * leases.lease_seconds()


def test_a_lost_url_fetch_is_sent_again_as_a_fetch(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article, _ = services.article_create_from_url(url="https://news.example/story")
    job = Job.objects.get(key=str(article.pk))
    assert job.task == "claims.fetch_article"
    Article.objects.filter(pk=article.pk).update(status=Article.Status.FETCHING)
    expire(job, running=True)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        recovery.sweep()
    assert sent == [("claims.fetch_article", [article.pk])]
    job.refresh_from_db()
    assert job.lost == 1 and job.state == Job.State.QUEUED


def test_a_job_that_keeps_dying_is_failed_with_the_reason_on_its_article(
    sent, django_capture_on_commit_callbacks, settings
):
    settings.JOB_MAX_LOST = 3
    with django_capture_on_commit_callbacks(execute=True):
        article, _ = services.article_create_from_text(text="Crime fell 9% in 2022.")
    expire(Job.objects.get(key=str(article.pk)), running=True, lost=2)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.sweep()["failed"] == 1
    assert sent == []
    article.refresh_from_db()
    assert article.status == Article.Status.FAILED
    assert article.status_detail.startswith(
        "The background job stopped 3 times without finishing (last on gone-host:123)"
    )
    assert Job.objects.get(key=str(article.pk)).state == Job.State.FAILED


def test_an_export_that_keeps_dying_is_failed_with_the_reason(
    sent, editor, django_capture_on_commit_callbacks, settings
):
    settings.JOB_MAX_LOST = 2
    with django_capture_on_commit_callbacks(execute=True):
        export = export_services.export_create(user=editor, format="csv", filters={})
    job = Job.objects.get(task="claims.build_export", key=str(export.pk))
    Export.objects.filter(pk=export.pk).update(state=Export.State.RUNNING, progress=20)
    expire(job, running=True, lost=1)
    with django_capture_on_commit_callbacks(execute=True):
        recovery.sweep()
    export.refresh_from_db()
    assert export.state == Export.State.FAILED
    assert "stopped 2 times without finishing" in export.error


def test_work_without_a_job_row_is_adopted(sent, django_capture_on_commit_callbacks):
    """Rows filed before leases existed: a URL article not yet fetched gets a fetch."""
    old = timezone.now() - timedelta(minutes=10)
    url_article = Article.objects.create(
        url="https://news.example/old", source=Article.Source.URL, status="pending"
    )
    text_article = Article.objects.create(body="x", content_hash="h1", status="processing")
    Article.objects.filter(pk__in=[url_article.pk, text_article.pk]).update(updated_at=old)
    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.sweep()["adopted"] == 2
    assert sorted(sent) == sorted(
        [("claims.fetch_article", [url_article.pk]), ("claims.extract_claims", [text_article.pk])]
    )


def test_a_lease_is_held_while_the_body_runs_and_released_after():
    with leases.lease("claims.check_evidence_link", 7) as job:
        assert job.state == Job.State.RUNNING and job.attempts == 1
        assert job.args == [7]  # sent again by the sweeper as the task was called
        # A second copy of the message elsewhere does not run alongside.
        with mock.patch.object(leases, "holder", return_value="other-host:1"):
            second, given_up = leases._start("claims.check_evidence_link", "7", [7], "other:1")
        assert (second, given_up) == (None, None)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.lease_until is None


def test_a_failing_body_fails_its_job_and_a_database_error_leaves_it_for_a_retry():
    from django.db import OperationalError

    with pytest.raises(ValueError), leases.lease("claims.check_evidence_link", 8):
        raise ValueError("boom")
    assert Job.objects.get(key="8").state == Job.State.FAILED
    assert Job.objects.get(key="8").error == "ValueError: boom"
    with pytest.raises(OperationalError), leases.lease("claims.check_evidence_link", 9):
        raise OperationalError("server closed the connection")
    job = Job.objects.get(key="9")
    assert job.state == Job.State.QUEUED and job.lease_until > timezone.now()


def test_one_run_per_beat_slot():
    now = timezone.now()
    assert scheduling.claim_slot("reviewers.remind_due", period=60, now=now) is True
    assert scheduling.claim_slot("reviewers.remind_due", period=60, now=now) is False
    assert scheduling.claim_slot("reviewers.expire_overdue", period=60, now=now) is True
    later = now + timedelta(seconds=60)
    assert scheduling.claim_slot("reviewers.remind_due", period=60, now=later) is True
    assert ScheduledRun.objects.filter(job="reviewers.remind_due").count() == 2


def test_a_second_beat_run_of_a_periodic_task_does_nothing(checker):
    from reviewers.tasks import assign_open_claims
    from tests.factories import ClaimFactory

    ScheduledRun.objects.all().delete()
    ClaimFactory()
    with mock.patch.object(scheduling, "claim_slot", side_effect=[True, False]):
        assert assign_open_claims.run(scheduled=True) == 1
        ClaimFactory()
        assert assign_open_claims.run(scheduled=True) == 0  # the same slot, from a second beat
    assert assign_open_claims.run() == 1  # asked for outside beat: always runs


def test_every_beat_entry_claims_its_slot(settings):
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["kwargs"] == {"scheduled": True}, name
    assert settings.CELERY_BEAT_SCHEDULE["sweep-lost-jobs"]["task"] == "claims.sweep_lost_work"
    assert settings.CELERY_BEAT_SCHEDULE["sweep-lost-jobs"]["schedule"] <= 60


def test_every_retry_budget_outlasts_a_minute_long_database_outage():
    from celery import current_app
    from celery.utils.time import get_exponential_backoff_interval
    from django.db import OperationalError

    import claims.evidence.tasks  # noqa: F401  (registers the tasks)
    import claims.exports.tasks  # noqa: F401
    import claims.tasks  # noqa: F401
    import reviewers.tasks  # noqa: F401

    checked = 0
    for name, task in current_app.tasks.items():
        if not name.startswith(("claims.", "reviewers.")):
            continue
        assert OperationalError in task.autoretry_for, name
        assert task.retry_jitter is False, name  # a budget, not a gamble
        budget = sum(
            get_exponential_backoff_interval(
                factor=int(task.retry_backoff),
                retries=n,
                maximum=task.retry_backoff_max,
                full_jitter=False,
            )
            for n in range(task.max_retries)
        )
        assert budget >= 120, (name, budget)
        checked += 1
    assert checked >= 10
