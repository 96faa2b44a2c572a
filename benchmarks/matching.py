"""Similar-claim matching against N stored claims (default 100,000; --claims 1000000).

Seeds N claims in a throw-away database (bulk SQL on PostgreSQL, bulk_create on SQLite) and
their vectors straight into the shared index file (synthetic unit vectors, clustered the way
sentence embeddings are; no model run for them), then times claims.matching.match_claims for a
new 30-claim article: the first call in a process (it maps the index file) and later calls.
Baseline in the same run: the exact numpy scan of the same N vectors for the same 30 queries.
Reports recall@10 of the index against that exact scan (for the 30 new claims and for 30
near-copies of stored claims), the index file's size and this process's resident memory.
Exits 1 when a goal is missed: a later call at most 200 ms, recall@10 at least 0.95.

Run: python benchmarks/matching.py [--claims 1000000]
(Uses DATABASE_URL when set, else a temporary SQLite file.)
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MATCH_GOAL_MS = 200
RECALL_GOAL = 0.95


def clustered_vectors(rng, n: int, centres):
    import numpy as np

    picks = rng.integers(0, len(centres), n)
    vectors = centres[picks] + 0.08 * rng.standard_normal((n, centres.shape[1])).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def seed_rows(n: int) -> list[int]:
    """N claim rows without embeddings (their vectors go to the index); returns their ids."""
    from django.db import connection, transaction

    from claims.models import Article, Claim

    Claim.objects.all().delete()
    if connection.vendor == "postgresql":
        from benchmarks import seeding

        with transaction.atomic(), connection.cursor() as cursor:
            first_article, _ = seeding.insert_articles(
                cursor, count=-(-n // 1000), publisher="Benchmark Matching", tag="matching"
            )
            seeding.insert_claims(
                cursor, count=n, first_article=first_article, per_article=1000, state_sql="'open'"
            )
    else:
        for start in range(0, n, 1000):
            article = Article.objects.create(
                title=f"seed {start}", body="seed", content_hash=f"seed{start:060d}"
            )
            Claim.objects.bulk_create(
                Claim(
                    article=article,
                    text=f"Seeded claim {start + i}",
                    position=i,
                    start_offset=0,
                    end_offset=1,
                )
                for i in range(min(1000, n - start))
            )
    return list(Claim.objects.order_by("pk").values_list("pk", flat=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=100_000)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("FACTCHECK_VAR_DIR", tempfile.mkdtemp(prefix="fc-matchbench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    import django

    django.setup()
    import numpy as np
    from django.conf import settings
    from django.core.management import call_command

    from claims import extraction, matching
    from claims.models import Article, Claim

    settings.CLAIM_INDEX_DIR = Path(tempfile.mkdtemp(prefix="fc-matchindex-"))
    call_command("migrate", verbosity=0)
    texts = [
        f"The minister said unemployment fell to {n}.{n % 10}% in {1990 + n}." for n in range(30)
    ]
    extraction.embed_sentences(texts)  # load the model before usearch and outside the timings
    t0 = time.perf_counter()
    ids = seed_rows(args.claims)
    print(f"seeded {len(ids):,} claim rows in {time.perf_counter() - t0:.1f} s")

    rng = np.random.default_rng(7)
    centres = rng.standard_normal((max(100, args.claims // 100), 384)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    corpus = np.zeros((len(ids), 384), dtype=np.float32)
    index = matching.new_index()
    t0 = time.perf_counter()
    for start in range(0, len(ids), 50_000):
        block = clustered_vectors(rng, min(50_000, len(ids) - start), centres)
        corpus[start : start + len(block)] = block
        index.add(np.asarray(ids[start : start + len(block)], dtype=np.uint64), block, threads=2)
    last = Claim.objects.filter(pk=ids[-1]).values_list("created_at", flat=True).first()
    path = Path(settings.CLAIM_INDEX_DIR) / "claims.usearch"
    matching.write_index(index, path, last_pk=ids[-1], last_created=last)
    del index
    print(f"built the index of {len(ids):,} vectors in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    embedded = extraction.embed_sentences(texts)
    embed_s = time.perf_counter() - t0

    def new_article(tag: str) -> list[int]:
        a = Article.objects.create(title=tag, body=tag, content_hash=(tag * 64)[:64])
        return [
            Claim.objects.create(article=a, text=t, position=i, start_offset=0, end_offset=1).pk
            for i, t in enumerate(texts)
        ]

    matching.reset_cache()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    matching.match_claims(claim_ids=new_article("cold"))
    cold = time.perf_counter() - t0
    warm_runs = []
    for n in range(5):
        claim_ids = new_article(f"warm{n}")
        t0 = time.perf_counter()
        matching.match_claims(claim_ids=claim_ids)
        warm_runs.append(time.perf_counter() - t0)
    warm = sorted(warm_runs)[len(warm_runs) // 2]
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    near = corpus[rng.integers(0, len(corpus), 30)]
    near = near + 0.02 * rng.standard_normal(near.shape).astype(np.float32)
    near /= np.linalg.norm(near, axis=1, keepdims=True)
    mapped = matching._claims.index
    recalls = {}
    scan = 0.0
    for label, queries in (("the 30 new claims", embedded), ("30 near-copies", near)):
        t0 = time.perf_counter()
        exact = np.argsort(-(queries @ corpus.T), axis=1)[:, :10]
        scan = max(scan, time.perf_counter() - t0)
        found = mapped.search(np.asarray(queries, dtype=np.float32), 10, threads=1).keys
        ids_array = np.asarray(ids)
        recalls[label] = float(
            np.mean([len(set(found[i]) & set(ids_array[exact[i]])) / 10 for i in range(30)])
        )
    t0 = time.perf_counter()
    mapped.search(np.asarray(embedded, dtype=np.float32), 10, threads=1)
    search_ms = (time.perf_counter() - t0) * 1000

    print(
        f"stored vectors:                    {len(corpus):,} "
        f"(index file {path.stat().st_size / 1e6:.0f} MB, memory-mapped)"
    )
    print(f"baseline: exact numpy scan         {scan * 1000:8.1f} ms")
    print(f"index search alone, 30 queries     {search_ms:8.1f} ms")
    print(f"embedding the 30 new claims        {embed_s * 1000:8.1f} ms (part of match_claims)")
    print(f"match_claims, first in a process   {cold * 1000:8.1f} ms")
    print(f"match_claims, later calls (median) {warm * 1000:8.1f} ms")
    for label, value in recalls.items():
        print(f"recall@10 vs exact, {label:<15}{value:8.3f}")
    print(
        f"peak RSS of this process           {rss_after:8.0f} MB (before matching "
        f"{rss_before:.0f} MB; the baseline's exact corpus is {corpus.nbytes / 1e6:.0f} MB of it)"
    )
    missed = []
    if warm * 1000 > MATCH_GOAL_MS:
        missed.append(f"match_claims took {warm * 1000:.0f} ms (goal: at most {MATCH_GOAL_MS})")
    # The goal is for queries near stored claims (what a match above the threshold is): the
    # new sentences are real embeddings among synthetic vectors, so their exact "top 10" is
    # noise at a cosine near 0.1 and is reported, not held to the goal.
    for label, value in recalls.items():
        if label == "30 near-copies" and value < RECALL_GOAL:
            missed.append(f"recall@10 for {label} {value:.3f} (goal: at least {RECALL_GOAL})")
    print("\nGoals: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
