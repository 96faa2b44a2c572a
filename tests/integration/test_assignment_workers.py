"""The assignment jobs in real Celery worker processes, against the real database and broker.

- Concurrency: 4 worker processes assign 1,000 open claims to 20 reviewers of mixed capacity;
  every claim is assigned exactly once and nobody gets more than their capacity (also when the
  capacity is short of the claims).
- Faults: a worker is SIGKILLed in the middle of a batch; after the sweeper runs every claim is
  assigned exactly once and no reminder was sent twice.

The guarantees are PostgreSQL's row locks (SKIP LOCKED) with Redis as the broker: that is what
CI runs. Elsewhere (SQLite and the filesystem broker, where IMMEDIATE transactions serialise the
writers instead) the same tests run at a reduced size; in CI (CI=true) they fail instead, loudly.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Max
from django.utils import timezone

from claims.models import Article, Claim, ClaimEvent, Topic
from factcheck.celery import app as celery_app
from reviewers.models import Assignment, Notification, ReviewerProfile
from reviewers.services import BATCH
from tests.factories import fact_checker

# Transactional (the workers see committed rows); the `reference_data` fixture (tests/conftest.py)
# puts back the groups, topics and ratings that another transactional test's flush removed.
# Serialized rollback is not used: its saved content types clash with those that flush re-creates.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]


def real_servers() -> bool:
    return connection.vendor == "postgresql" and settings.CELERY_BROKER_URL.startswith("redis")


@pytest.fixture
def size():
    """Full size on PostgreSQL + Redis; reduced elsewhere; a failure in CI without them."""
    if real_servers():
        return 1
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(
            "The assignment concurrency tests need PostgreSQL and Redis in CI: set "
            "DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://... (they are "
            f"{connection.vendor} and {settings.CELERY_BROKER_URL.split(':')[0]} now)."
        )
    return 10  # divide the workload: SQLite serialises writers, the filesystem broker is slow


def database_url() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return (
        f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


class Workers:
    """Celery worker processes on a queue of their own, stopped (or killed) by the test."""

    def __init__(self, tmp_path: Path, **env):
        self.queue = f"assign-test-{uuid.uuid4().hex[:8]}"
        self.procs: list[subprocess.Popen] = []
        self.logs = tmp_path
        self.env = {
            **os.environ,
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "DATABASE_CONN_MAX_AGE": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            **env,
        }

    def start(self, concurrency: int) -> subprocess.Popen:
        n = len(self.procs)
        log = open(self.logs / f"worker{n}.log", "w")  # noqa: SIM115  (closed with the process)
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "factcheck", "worker",
                f"--concurrency={concurrency}", "--pool=prefork", "-Q", self.queue,
                "-n", f"{self.queue}-{n}@%h", "--without-gossip", "--without-mingle",
                "--without-heartbeat", "--loglevel=WARNING",
            ],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill it with its pool children
        )  # fmt: skip
        self.procs.append(proc)
        return proc

    def send(self, task_name: str, *args, times: int = 1) -> None:
        for _ in range(times):
            celery_app.send_task(task_name, args=list(args), queue=self.queue)

    def kill(self, proc: subprocess.Popen) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop(self, proc: subprocess.Popen) -> None:
        """Warm shutdown: the tasks in progress finish first. The tests stop workers only once
        the database is steady, so a worker that is slow to exit (the filesystem transport can
        be) is then killed."""
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)

    def close(self) -> None:
        for proc in self.procs:
            self.stop(proc)
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(self.queue)

    def log_tail(self) -> str:
        return "\n".join(p.read_text()[-2000:] for p in sorted(self.logs.glob("worker*.log")))


@pytest.fixture
def workers(tmp_path):
    pool = Workers(tmp_path)
    yield pool
    pool.close()


def wait_until(predicate, *, timeout: float, what: str, workers: Workers | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    tail = workers.log_tail() if workers else ""
    raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}.\n{tail}")


def wait_until_steady(count, *, timeout: float, workers: Workers, steady_for: float = 2.0):
    """Wait until count() stops changing (the workers have nothing left to do)."""
    deadline = time.monotonic() + timeout
    last, since = count(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = count()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= steady_for:
            return now
    raise AssertionError(f"The workers never settled (count {last}).\n{workers.log_tail()}")


def seed(*, claims: int, capacities: list[int]) -> list[ReviewerProfile]:
    rng = random.Random(4)
    topics = list(Topic.objects.all())
    profiles = []
    for i, capacity in enumerate(capacities):
        user = fact_checker(f"reviewer{i:02d}")
        profile = user.reviewer_profile
        profile.capacity = capacity
        profile.save(update_fields=["capacity"])
        profile.topics.set(rng.sample(topics, 2))
        profiles.append(profile)
    article = Article.objects.create(title="Load", body="x", content_hash=uuid.uuid4().hex)
    filed = Claim.objects.bulk_create(
        Claim(
            article=article,
            text=f"Claim number {i} says something checkable.",
            position=i,
            start_offset=0,
            end_offset=10,
            state=Claim.State.OPEN,
            priority=rng.choice(["urgent", "high", "normal", "low"]),
        )
        for i in range(claims)
    )
    Claim.topics.through.objects.bulk_create(
        Claim.topics.through(claim_id=c.pk, topic_id=rng.choice(topics).pk) for c in filed
    )
    return profiles


def assert_each_claim_assigned_at_most_once_within_capacity(profiles) -> int:
    per_claim = Counter(Assignment.objects.values_list("claim_id", flat=True))
    assert not [c for c, n in per_claim.items() if n > 1], "a claim was assigned twice"
    assert not Assignment.objects.exclude(state=Assignment.State.ACTIVE).exists()
    assigned = Claim.objects.filter(state=Claim.State.ASSIGNED)
    assert assigned.count() == len(per_claim)
    # The claim's assignee is the assignment's reviewer, and one audit event each.
    mismatched = assigned.exclude(
        assignments__state=Assignment.State.ACTIVE,
        assignments__reviewer_id=F("assignee_id"),
    )
    assert not mismatched.exists()
    assert ClaimEvent.objects.filter(transition="assign").count() == len(per_claim)
    loads = dict(Assignment.objects.values_list("reviewer_id").annotate(n=Count("pk")).order_by())
    over = {
        p.user.username: (loads.get(p.user_id, 0), p.capacity)
        for p in profiles
        if loads.get(p.user_id, 0) > p.capacity
    }
    assert not over, f"capacity exceeded (load, capacity): {over}"
    return len(per_claim)


# Mixed capacities: 20 reviewers, 1,100 places in all (>= 1,000 claims), or 500 (< 1,000).
ENOUGH = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] * 2
SHORT = [5, 10, 15, 20, 25, 30, 35, 40, 45, 25] * 2


@pytest.mark.parametrize(("capacities", "label"), [(ENOUGH, "enough"), (SHORT, "short")])
def test_four_workers_assign_every_claim_once_within_capacity(size, workers, capacities, label):
    claims = 1000 // size
    capacities = [max(1, c // size) for c in capacities]
    profiles = seed(claims=claims, capacities=capacities)
    expected = min(claims, sum(capacities))

    workers.start(concurrency=4)
    workers.send("reviewers.assign_open_claims", times=8)  # more runs than processes
    wait_until(
        lambda: Assignment.objects.count() >= expected,
        timeout=600,  # a bound for a stuck run, not a speed: a shared 2-core machine is slow
        what=f"{expected} assignments",
        workers=workers,
    )
    wait_until_steady(Assignment.objects.count, timeout=60, workers=workers)
    workers.stop(workers.procs[0])

    assigned = assert_each_claim_assigned_at_most_once_within_capacity(profiles)
    assert assigned == expected
    assert Claim.objects.filter(state=Claim.State.OPEN).count() == claims - expected
    if label == "short":
        # Every place is taken: nobody was left with room while claims waited.
        loads = Counter(Assignment.objects.values_list("reviewer_id", flat=True))
        assert all(loads[p.user_id] == p.capacity for p in profiles)


REMINDER = re.compile(r"Reminder: claim (\d+) ")


def reminder_emails(folder: Path) -> Counter:
    sent = Counter()
    for path in folder.glob("*.log"):
        for claim_id in REMINDER.findall(path.read_text(encoding="utf-8", errors="replace")):
            sent[int(claim_id)] += 1
    return sent


def test_sigkilled_worker_loses_nothing_and_duplicates_nothing(size, tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    pool = Workers(
        tmp_path,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        REMINDER_HOURS_BEFORE="1000",  # every assignment is due for its reminder at once
    )
    try:
        _sigkill_scenario(pool, size, mail_dir)
    finally:
        pool.close()


def _sigkill_scenario(pool: Workers, size: int, mail_dir: Path) -> None:
    # A run commits a batch of claims at a time (reviewers.services.BATCH): the killed worker
    # must have batches left, whatever the size.
    claims = max(600 // size, 4 * BATCH)
    profiles = seed(claims=claims, capacities=[claims // 6] * 10)

    # 1. A worker starts the batch, with reminders queued behind it; it dies mid-way.
    doomed = pool.start(concurrency=1)
    pool.send("reviewers.assign_open_claims")
    pool.send("reviewers.remind_due", times=2)
    wait_until(
        lambda: Assignment.objects.count() >= 20 // size,
        timeout=90,
        what="the first assignments",
        workers=pool,
    )
    pool.kill(doomed)
    left_open = Claim.objects.filter(state=Claim.State.OPEN).count()
    assert left_open > 0, "the worker finished before it was killed: use more claims"
    # Nothing half-done survives the kill: what is assigned is assigned once, within capacity.
    assert_each_claim_assigned_at_most_once_within_capacity(profiles)

    # 2. Another worker runs the sweeper (PostgreSQL is the truth, not the lost message),
    #    and reminders run several times, two at once.
    survivor = pool.start(concurrency=2)
    pool.send("reviewers.sweep_stuck_claims")
    wait_until(
        lambda: not Claim.objects.filter(state=Claim.State.OPEN).exists(),
        timeout=120,
        what="the sweeper to assign the claims left open",
        workers=pool,
    )
    pool.send("reviewers.remind_due", times=4)
    wait_until(
        lambda: not Assignment.objects.filter(reminder_sent_at__isnull=True).exists(),
        timeout=60,
        what="every reminder",
        workers=pool,
    )
    wait_until_steady(
        lambda: len(list(mail_dir.glob("*.log"))), timeout=60, workers=pool, steady_for=3
    )
    # Reminders the killed worker wrote but whose emails it never queued are the sweeper's to
    # send once they are a minute old (younger ones are left to the worker sending them).
    unsent = Notification.objects.filter(kind="reminder", emailed_at__isnull=True).exclude(
        user__email=""
    )
    if unsent.exists():
        newest = unsent.aggregate(newest=Max("created_at"))["newest"]
        time.sleep(max(0.0, (newest - timezone.now()).total_seconds() + 62))
        pool.send("reviewers.sweep_stuck_claims")
        wait_until(lambda: not unsent.exists(), timeout=60, what="the unsent emails", workers=pool)
        wait_until_steady(
            lambda: len(list(mail_dir.glob("*.log"))), timeout=60, workers=pool, steady_for=3
        )
    pool.stop(survivor)

    assert assert_each_claim_assigned_at_most_once_within_capacity(profiles) == claims
    reminders = Counter(
        Notification.objects.filter(kind="reminder").values_list("assignment_id", flat=True)
    )
    assert len(reminders) == claims and set(reminders.values()) == {1}
    emails = reminder_emails(mail_dir)
    twice = {claim: n for claim, n in emails.items() if n > 1}
    assert not twice, f"reminder emails sent more than once: {twice}"
    # Emails are sent at most once: one in flight in the killed worker may be lost, never doubled.
    assert len(emails) >= claims - 2
