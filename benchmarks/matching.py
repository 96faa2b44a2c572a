"""Similar-claim matching with 100,000 stored claims.

Seeds N claims with stored embeddings (unit vectors; their content does not matter for speed) in
a throw-away database, then times claims.matching.match_claims for a new 30-claim article:
the first call in a process (it loads every stored vector once) and later calls (they load only
new rows). Baseline in the same run: the bare numpy scan of the same matrix for the same
queries, with no database and no embedding.

Run: python benchmarks/matching.py [--claims 100000]
(Uses DATABASE_URL when set, else a temporary SQLite file.)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


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
    from django.core.management import call_command

    from claims import extraction, matching
    from claims.models import Article, Claim

    call_command("migrate", verbosity=0)
    Claim.objects.all().delete()
    rng = np.random.default_rng(7)
    article = Article.objects.create(title="seed", body="seed", content_hash="seed" * 16)
    t0 = time.perf_counter()
    batch = 5_000
    for start in range(0, args.claims, batch):
        vectors = rng.standard_normal((min(batch, args.claims - start), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        Claim.objects.bulk_create(
            [
                Claim(
                    article=article,
                    text=f"Seeded claim {start + i}",
                    position=start + i,
                    start_offset=0,
                    end_offset=1,
                    embedding=extraction.vector_to_bytes(v),
                )
                for i, v in enumerate(vectors)
            ],
            batch_size=1_000,
        )
    print(f"seeded {args.claims:,} claims in {time.perf_counter() - t0:.1f} s")

    texts = [
        f"The minister said unemployment fell to {n}.{n % 10}% in {1990 + n}." for n in range(30)
    ]

    def new_article(tag: str) -> list[int]:
        a = Article.objects.create(title=tag, body=tag, content_hash=(tag * 64)[:64])
        return [
            Claim.objects.create(article=a, text=t, position=i, start_offset=0, end_offset=1).pk
            for i, t in enumerate(texts)
        ]

    extraction.embed_sentences(texts)  # load the model outside the timings
    t0 = time.perf_counter()
    embedded = extraction.embed_sentences(texts)
    embed_s = time.perf_counter() - t0

    matching.reset_cache()
    ids = new_article("cold")
    t0 = time.perf_counter()
    matching.match_claims(claim_ids=ids)
    cold = time.perf_counter() - t0
    ids = new_article("warm")
    t0 = time.perf_counter()
    matching.match_claims(claim_ids=ids)
    warm = time.perf_counter() - t0

    corpus = matching._claims.vectors
    t0 = time.perf_counter()
    extraction.find_similar(embedded, corpus, 0.75, top_k=10)
    scan = time.perf_counter() - t0

    print(f"stored vectors scanned:           {len(corpus):,}")
    print(f"baseline: bare numpy scan          {scan * 1000:8.1f} ms")
    print(f"embedding the 30 new claims        {embed_s * 1000:8.1f} ms")
    print(
        f"match_claims, first in a process   {cold * 1000:8.1f} ms  ({cold / scan:.0f}x the scan)"
    )
    print(
        f"match_claims, later calls          {warm * 1000:8.1f} ms  ({warm / scan:.0f}x the scan)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
