"""Export benchmark: N approved claims as CSV and as ClaimReview JSON-LD, against PostgreSQL's
own `COPY (...) TO STDOUT` of the same rows, in the same run.

    createdb -h 127.0.0.1 -U postgres fc_bench   # seeded in bulk SQL (benchmarks/seeding.py)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_bench DJANGO_DEBUG=1 \\
        .venv/bin/python benchmarks/export.py --rows 100000

It migrates the database, seeds the claims once (approved verdicts, two evidence links and a
topic each, kept for later runs), then runs every measured phase in a fresh child process so that
each one's peak resident memory is its own: time, peak RSS above the process's start, and
tracemalloc's peak of Python allocations on a separate, smaller pass (tracemalloc slows Python
down, so it is never on while timing). Output goes to a byte-counting sink, as a download would.
Exits 1 when a goal is missed: CSV at most 3x COPY, ClaimReview at most 6x, peak RSS < 150 MB.
The first tenth of the rows is exported too (timed, and its memory shown beside the whole's).

On PostgreSQL the CSV is written by the database (claims/exports/csv_copy.py: a COPY per chunk of
2,000 claims), so its time is COPY's plus the sources' sentences, dates and formula guard that the
baseline's plainer COPY leaves out.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
MARK = "benchmark-export"
GOALS = {"csv": 3.0, "claimreview": 6.0}  # at most this many times COPY's time
RSS_GOAL_MB = 150

COPY_SQL = """
COPY (
  SELECT c.id, c.text, c.claimant, c.state, r.label, r.value, v.summary, v.rationale,
         u.username, v.decided_at, c.published_at, a.title, a.url, a.publisher,
         a.published_at,
         (SELECT string_agg(t.slug, '; ' ORDER BY t.name) FROM claims_claim_topics ct
            JOIN claims_topic t ON t.id = ct.topic_id WHERE ct.claim_id = c.id),
         (SELECT count(*) FROM claims_evidence e WHERE e.claim_id = c.id),
         (SELECT string_agg(e.url, E'\\n' ORDER BY e.created_at, e.id) FROM claims_evidence e
            WHERE e.claim_id = c.id)
  FROM claims_claim c
  JOIN claims_article a ON a.id = c.article_id
  LEFT JOIN claims_verdict v ON v.claim_id = c.id AND v.is_current
  LEFT JOIN claims_rating r ON r.id = v.rating_id
  LEFT JOIN auth_user u ON u.id = v.author_id
  WHERE c.state IN ('approved', 'published') {limit}
  ORDER BY c.id
) TO STDOUT WITH (FORMAT csv, HEADER)
"""


def setup_django() -> None:
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")


def seed(rows: int) -> None:
    """Seed once in bulk SQL (benchmarks/seeding.py); later runs reuse the rows."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from benchmarks import seeding
    from claims.models import Article, Claim, Topic
    from tests.factories import editor, fact_checker

    call_command("migrate", verbosity=0)
    have = Claim.objects.filter(article__publisher=MARK).count()
    if have >= rows:
        # Every claim published: ClaimReview holds published fact-checks only, and every
        # format must export the same rows as the COPY baseline.
        from django.utils import timezone

        Claim.objects.filter(article__publisher=MARK, state="approved").update(
            state="published", published_at=timezone.now()
        )
        print(f"seed: {have:,} benchmark claims already there")
        return
    start = time.perf_counter()
    Claim.objects.filter(article__publisher=MARK).delete()
    Article.objects.filter(publisher=MARK).delete()
    author, decider = fact_checker("bench-checker"), editor("bench-editor")
    topic = Topic.objects.get(slug="economy")
    per_article = 100
    with transaction.atomic(), connection.cursor() as cursor:
        first_article, _ = seeding.insert_articles(
            cursor, count=-(-rows // per_article), publisher=MARK, tag="export"
        )
        first, last = seeding.insert_claims(
            cursor,
            count=rows,
            first_article=first_article,
            per_article=per_article,
            state_sql="'published'",  # ClaimReview holds published fact-checks only
        )
        seeding.insert_verdicts(
            cursor, first_claim=first, last_claim=last, author=author.pk, decider=decider.pk
        )
        seeding.insert_evidence(cursor, first_claim=first, last_claim=last, per_claim=2)
        seeding.tag_topic(cursor, first_claim=first, last_claim=last, topic_id=topic.pk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seed: {rows:,} claims in {time.perf_counter() - start:.1f} s")


class Sink:
    """Counts bytes the way a socket would take them."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, data) -> None:
        self.bytes += len(data)


def _rss_bytes() -> int:
    """Resident memory now (ru_maxrss cannot be reset, so it would hide a phase's own peak)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


class RssSampler(threading.Thread):
    """The highest resident memory seen while a phase runs, sampled every 10 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = _rss_bytes()
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, _rss_bytes())
            time.sleep(0.01)

    def stop(self) -> int:
        self.running = False
        self.join()
        return max(self.peak, _rss_bytes())


def phase(name: str, limit: int | None, trace: bool) -> dict:
    setup_django()
    from django.db import connection

    from claims.exports import selectors, services

    filters = {"publisher": MARK}
    sink = Sink()
    # What a running server has loaded before any export: the URLconf (public URLs are built
    # from it) and the export modules. The peak measured below is then the export's own.
    selectors.public_url(1)
    gc.collect()
    rss_start = _rss_bytes()
    sampler = RssSampler()
    sampler.start()
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    rows = 0
    if name == "copy":
        where = (
            f"AND c.id IN (SELECT id FROM claims_claim ORDER BY id LIMIT {int(limit)})"
            if limit
            else ""
        )
        sql = COPY_SQL.format(limit=where)
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for block in copy:
                sink.write(block)
        seconds = time.perf_counter() - start
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM claims_claim WHERE state IN ('approved', 'published')"
            )
            rows = min(cursor.fetchone()[0], limit or sys.maxsize)
    else:
        queryset = selectors.export_queryset(user=None, filters=filters)
        if limit:
            queryset = queryset[:limit]

        def count() -> None:
            nonlocal rows
            rows += 1

        for piece in services.text_chunks(name, queryset, filters=filters, on_row=count):
            sink.write(piece.encode("utf-8"))
        seconds = time.perf_counter() - start
    result = {
        "phase": name,
        "rows": rows,
        "seconds": seconds,
        "megabytes_out": sink.bytes / 1e6,
        "peak_rss_above_start_mb": (sampler.stop() - rss_start) / 1e6,
    }
    if trace:
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return result


def run_child(name: str, limit: int | None, trace: bool) -> dict:
    args = [sys.executable, __file__, "--phase", name]
    if limit:
        args += ["--limit", str(limit)]
    if trace:
        args.append("--trace")
    out = subprocess.run(args, check=True, capture_output=True, text=True, env=os.environ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--trace-rows", type=int, default=10_000, help="rows for tracemalloc (0: skip)"
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.limit, args.trace)))
        return

    setup_django()
    seed(args.rows)
    print(f"\nExport of {args.rows:,} approved/published claims (2 evidence links each)")
    timed = {name: run_child(name, None, False) for name in ("copy", "csv", "claimreview")}
    base = timed["copy"]
    print(f"{'format':<14}{'rows':>9}{'seconds':>10}{'x COPY':>9}{'MB out':>9}{'peak RSS MB':>13}")
    for name, r in timed.items():
        ratio = r["seconds"] / base["seconds"]
        print(
            f"{name:<14}{r['rows']:>9,}{r['seconds']:>10.2f}{ratio:>9.1f}"
            f"{r['megabytes_out']:>9.1f}{r['peak_rss_above_start_mb']:>13.1f}"
        )
    small = {name: run_child(name, args.rows // 10, False) for name in timed}
    print(f"\nThe first {args.rows // 10:,} claims (a sliced export):")
    for name, r in small.items():
        ratio = r["seconds"] / small["copy"]["seconds"]
        print(f"  {name:<12} {r['rows']:>7,} rows {r['seconds']:>7.2f} s {ratio:>6.1f}x COPY")
    print("\nPeak RSS above the child's start, by size (flat means streaming works):")
    for name in ("csv", "claimreview"):
        print(
            f"  {name:<12} {small[name]['rows']:>7,} rows: "
            f"{small[name]['peak_rss_above_start_mb']:6.1f} MB"
            f"   {timed[name]['rows']:>7,} rows: {timed[name]['peak_rss_above_start_mb']:6.1f} MB"
        )
    if args.trace_rows:
        print(f"\nPython allocations at peak (tracemalloc), {args.trace_rows:,} rows:")
        for name in ("csv", "claimreview"):
            traced = run_child(name, args.trace_rows, True)
            print(f"  {name:<12} {traced['tracemalloc_peak_mb']:6.1f} MB")
    missed = []
    for name, most in GOALS.items():
        ratio = timed[name]["seconds"] / base["seconds"]
        rss = timed[name]["peak_rss_above_start_mb"]
        if ratio > most:
            missed.append(f"{name} took {ratio:.1f}x COPY (goal: at most {most}x)")
        if rss >= RSS_GOAL_MB:
            missed.append(f"{name} peaked at {rss:.0f} MB RSS (goal: under {RSS_GOAL_MB} MB)")
    print("\nGoals: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
