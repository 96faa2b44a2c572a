"""Assignment benchmark: N open claims to R reviewers by Celery workers (1, 2 and 4 processes),
against a bare SQL `SELECT ... FOR UPDATE SKIP LOCKED` loop doing the same writes, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python benchmarks/assignment.py --claims 10000 --reviewers 50

It never touches the database DATABASE_URL names: it creates its own, `<name>_assignbench` on the
same server (dropped at the end unless --keep), migrates it, seeds R reviewers (mixed topics,
capacity enough for every claim) and, for each process count, N open claims; then it measures:

- celery: `celery -A factcheck worker --concurrency=P` runs `reviewers.assign_open_claims`
  (the real policy: topic match, load, rotation, capacity re-checked under the reviewer's lock,
  the workflow's audit event, the Assignment row and the in-app notification), timed from the
  first job sent to the last claim assigned (worker start-up excluded);
- bare SQL: P processes, each a psycopg loop of one transaction per claim: take the next open
  claim with SKIP LOCKED (the queue's index serves its ORDER BY), lock the least-loaded reviewer
  with room (SKIP LOCKED; their load is the profile's counter, which the lock re-checks on the
  row's latest version), and write the same rows (claim state, assignee, deadline and version;
  the assignment, whose trigger keeps the reviewer's load; the audit event; the notification;
  the reviewer's last assignment): each statement prepared once, then one round trip. It ranks
  by load only (no topics, languages, bylines or declines), so it is the floor, not a rival
  policy.

Each run is checked: every claim assigned exactly once, nobody over capacity. The figure that
matters is the ratio celery / bare SQL at the same process count. Goals (issue #13, P2): the bare
loop does at least 250 claims/s with one process (else the baseline is wrong, not the service
fast), and Celery with 4 processes does at least 0.5x the bare loop with 4. The run prints its
figures and ratios and exits 1 when a goal (or a correctness check) is missed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUEUE = f"assign-bench-{uuid.uuid4().hex[:6]}"


def bench_url(url: str) -> tuple[str, str, str]:
    """(admin URL on the `postgres` database, benchmark database URL, its name)."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit("benchmarks/assignment.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = (parts.path.lstrip("/") or "postgres") + "_assignbench"
    admin = urlunsplit(parts._replace(path="/postgres"))
    return admin, urlunsplit(parts._replace(path=f"/{name}")), name


def create_database(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # seeding only


def seed_reviewers(count: int, claims: int) -> None:
    from claims.models import Topic
    from tests.factories import fact_checker

    rng = random.Random(50)
    topics = list(Topic.objects.all())
    base = -(-claims * 6 // (5 * count))  # 20 % more places than claims, mixed below and above
    for i in range(count):
        user = fact_checker(f"bench{i:03d}")
        profile = user.reviewer_profile
        profile.capacity = min(1000, max(1, base + rng.randint(-base // 4, base // 4)))
        profile.save(update_fields=["capacity"])
        profile.topics.set(rng.sample(topics, 2))
    total = sum(user.reviewer_profile.capacity for user in _reviewers())
    if total < claims:
        sys.exit(f"{count} reviewers hold only {total} claims (capacity at most 1000 each).")


def _reviewers():
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(username__startswith="bench")
        .select_related("reviewer_profile")
    )


def reset_claims(claims: int) -> None:
    """Remove the previous run's claims and their rows; file N new open claims."""
    from django.db import connection

    from claims.models import Article, Claim, Topic

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE reviewers_notification, reviewers_assignment, claims_claimevent, "
            "claims_claim_topics, claims_claim, claims_article CASCADE"
        )
        # TRUNCATE fires no row triggers: the load counters start again by hand.
        cursor.execute("UPDATE reviewers_reviewerprofile SET last_assigned_at = NULL, load = 0")
    rng = random.Random(claims)
    topics = list(Topic.objects.values_list("pk", flat=True))
    article = Article.objects.create(title="Bench", body="x", content_hash=uuid.uuid4().hex)
    filed = Claim.objects.bulk_create(
        (
            Claim(
                article=article,
                text=f"Benchmark claim {i}: the figure rose by {i % 97} per cent.",
                position=i,
                start_offset=0,
                end_offset=10,
                state=Claim.State.OPEN,
                priority=rng.choice(["urgent", "high", "normal", "normal", "low"]),
            )
            for i in range(claims)
        ),
        batch_size=2000,
    )
    Claim.topics.through.objects.bulk_create(
        (Claim.topics.through(claim_id=c.pk, topic_id=rng.choice(topics)) for c in filed),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def check(claims: int) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM claims_claim WHERE state = 'assigned'")
        assigned = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM (SELECT claim_id FROM reviewers_assignment "
            "GROUP BY claim_id HAVING count(*) > 1) twice"
        )
        twice = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM reviewers_reviewerprofile p WHERE p.capacity < "
            "(SELECT count(*) FROM reviewers_assignment a WHERE a.reviewer_id = p.user_id "
            "AND a.state = 'active')"
        )
        over = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM reviewers_reviewerprofile p WHERE p.load <> "
            "(SELECT count(*) FROM reviewers_assignment a WHERE a.reviewer_id = p.user_id "
            "AND a.state = 'active')"
        )
        drift = cursor.fetchone()[0]
    ok = assigned == claims and twice == 0 and over == 0 and drift == 0
    verdict = "ok" if ok else "FAILED"
    return (
        f"{verdict}: {assigned}/{claims} assigned, {twice} twice, {over} over capacity, "
        f"{drift} loads off"
    )


def open_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM claims_claim WHERE state = 'open'")
        return cursor.fetchone()[0]


# --- Celery ---------------------------------------------------------------------------------


def run_celery(processes: int, claims: int, url: str) -> float:
    from factcheck.celery import app

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    name = f"{QUEUE}-{processes}@bench"
    worker = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "factcheck", "worker", "-Q", QUEUE,
            f"--concurrency={processes}", "--pool=prefork", "-n", name,
            "--without-gossip", "--without-mingle", "--loglevel=WARNING",
        ],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not app.control.ping(destination=[name], timeout=0.5):
            if time.monotonic() > deadline or worker.poll() is not None:
                sys.exit("The Celery worker did not start.")
        started = time.perf_counter()
        for _ in range(processes * 2):  # enough runs to keep every process busy
            app.send_task("reviewers.assign_open_claims", queue=QUEUE)
        while open_count():
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(QUEUE)


# --- Bare SQL baseline ----------------------------------------------------------------------

# The queue's order written as the ORM writes the scheduler's PRIORITY_ORDER, so that both walk
# the same partial index (claim_open_queue, reviewers migration 0006) instead of sorting every
# open claim on each take.
TAKE_CLAIM = """
SELECT id FROM claims_claim WHERE state = 'open'
ORDER BY CASE WHEN priority = 'urgent' THEN 0 WHEN priority = 'high' THEN 1
              WHEN priority = 'normal' THEN 2 ELSE 3 END,
         created_at, id
LIMIT 1 FOR UPDATE SKIP LOCKED
"""
# The reviewer's load is the profile's counter (kept by the assignment triggers, reviewers
# migration 0007). FOR UPDATE re-evaluates the WHERE on the latest version of a row whose lock
# it takes, so `load < capacity` holds under the lock even when a job that had it just
# committed: no second count. Fifty rows: a sequential scan, and no index on the counter,
# which would make every change of it a non-HOT update.
TAKE_REVIEWER = """
SELECT id, user_id FROM reviewers_reviewerprofile
WHERE available AND load < capacity
ORDER BY load, last_assigned_at NULLS FIRST, user_id
LIMIT 1 FOR UPDATE SKIP LOCKED
"""
WRITE = [
    "UPDATE claims_claim SET state = 'assigned', assignee_id = %(user)s, "
    "due_at = now() + interval '72 hours', version = version + 1, updated_at = now() "
    "WHERE id = %(claim)s",
    # The assignment (its trigger adds one to the reviewer's load) and its notification.
    "WITH a AS (INSERT INTO reviewers_assignment (claim_id, reviewer_id, reason, assigned_at, "
    "due_at, state, decline_reason) VALUES (%(claim)s, %(user)s, 'bare sql', now(), "
    "now() + interval '72 hours', 'active', '') RETURNING id) "
    "INSERT INTO reviewers_notification (user_id, claim_id, assignment_id, kind, message, "
    "created_at) SELECT %(user)s, %(claim)s, a.id, 'assigned', 'assigned', now() FROM a",
    "INSERT INTO claims_claimevent (claim_id, transition, from_state, to_state, details, "
    "created_at) VALUES (%(claim)s, 'assign', 'open', 'assigned', '{}'::jsonb, now())",
    "UPDATE reviewers_reviewerprofile SET last_assigned_at = now() WHERE id = %(profile)s",
]


def bare_sql_worker(url: str, start, done) -> None:
    import psycopg

    # Every statement is prepared once, then sent as bind + execute, in pipeline mode: a claim
    # costs one round trip, which carries its writes and COMMIT, then the next claim's BEGIN
    # and takes. Each transaction is still one claim, its locks taken and released as before.
    with psycopg.connect(url, autocommit=True, prepare_threshold=0) as conn:
        start.wait()

        def take():
            conn.execute("BEGIN", prepare=False)
            return conn.execute(TAKE_CLAIM), conn.execute(TAKE_REVIEWER)

        with conn.pipeline() as pipeline:
            claims, reviewers = take()
            while True:
                row, reviewer = claims.fetchone(), reviewers.fetchone()  # the round trip
                if row is not None and reviewer is not None:
                    args = {"claim": row[0], "profile": reviewer[0], "user": reviewer[1]}
                    for sql in WRITE:
                        conn.execute(sql, args)
                conn.execute("COMMIT", prepare=False)
                if row is None:
                    break
                claims, reviewers = take()
            pipeline.sync()
    done.put(True)


def run_bare_sql(processes: int, url: str) -> float:
    ctx = multiprocessing.get_context("spawn")
    start, done = ctx.Barrier(processes + 1), ctx.Queue()
    procs = [ctx.Process(target=bare_sql_worker, args=(url, start, done)) for _ in range(processes)]
    for p in procs:
        p.start()
    start.wait()
    began = time.perf_counter()
    for _ in procs:
        done.get()
    elapsed = time.perf_counter() - began
    for p in procs:
        p.join()
    return elapsed


# --- Goals (issue #13, P2) ------------------------------------------------------------------

BARE_FLOOR = 250.0  # claims/s, bare SQL with one process: below it the baseline is wrong
RATIO_GOAL = 0.5  # Celery with 4 processes against the bare loop with 4


def goals(rows: list[tuple[int, float, float]], checks: list[str]) -> list[str]:
    """What missed its goal, in words; empty when every goal is met."""
    missed = [f"Correctness: {c}" for c in checks if not c.startswith("ok")]
    by_count = {processes: (celery, bare) for processes, celery, bare in rows}
    if 1 in by_count and by_count[1][1] < BARE_FLOOR:
        missed.append(
            f"Bare SQL with 1 process did {by_count[1][1]:.1f} claims/s, under the honest floor "
            f"of {BARE_FLOOR:.0f}/s: the baseline (or this machine) is wrong."
        )
    if 4 in by_count:
        celery, bare = by_count[4]
        if celery / bare < RATIO_GOAL:
            missed.append(
                f"Celery with 4 processes did {celery:.1f} claims/s, {celery / bare:.2f}x the bare "
                f"loop's {bare:.1f}/s: the goal is {RATIO_GOAL}x."
            )
    return missed


# --- Main -----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--workers", default="1,2,4", help="process counts, comma-separated")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis"):
        sys.exit("benchmarks/assignment.py needs Redis: set CELERY_BROKER_URL=redis://...")
    admin, url, name = bench_url(os.environ.get("DATABASE_URL", ""))
    counts = [int(n) for n in args.workers.split(",")]
    print(f"Creating {name} and migrating it ...", flush=True)
    create_database(admin, name)
    try:
        setup_django(url)
        seed_reviewers(args.reviewers, args.claims)
        print(
            f"{args.claims} open claims, {args.reviewers} reviewers, "
            f"{os.cpu_count()} CPUs; PostgreSQL + Redis\n",
            flush=True,
        )
        rows, checks = [], []
        for processes in counts:
            reset_claims(args.claims)
            celery_s = run_celery(processes, args.claims, url)
            celery_check = check(args.claims)
            reset_claims(args.claims)
            from django.db import connections

            connections.close_all()
            bare_s = run_bare_sql(processes, url)
            bare_check = check(args.claims)
            rows.append((processes, args.claims / celery_s, args.claims / bare_s))
            checks += [celery_check, bare_check]
            print(
                f"{processes} process(es): celery {args.claims / celery_s:8.1f} claims/s "
                f"({celery_s:6.1f} s, {celery_check}); bare SQL {args.claims / bare_s:8.1f} "
                f"claims/s ({bare_s:6.1f} s, {bare_check})",
                flush=True,
            )
        print("\nprocesses  celery claims/s  bare SQL claims/s  celery/bare  celery speed-up")
        first = rows[0][1]
        for processes, celery_rate, bare_rate in rows:
            print(
                f"{processes:>9}  {celery_rate:>15.1f}  {bare_rate:>17.1f}  "
                f"{celery_rate / bare_rate:>11.2f}  {celery_rate / first:>14.2f}x"
            )
        failures = goals(rows, checks)
        print()
        for line in failures or ["Goals met."]:
            print(line)
        if failures:
            return 1
    finally:
        if "django.apps" in sys.modules and sys.modules["django.apps"].apps.ready:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            drop_database(admin, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
