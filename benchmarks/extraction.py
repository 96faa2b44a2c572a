"""Throughput of the claim-extraction engine on a large article.

The demo article is repeated until the text holds about 5,000 sentences. In the same run it times
the splitter alone (the baseline), the model alone on the non-boilerplate sentences, the whole
analyse_text, and analyse_text with the default topics (which adds the sentence embeddings for
tagging by meaning), and prints sentences per second for each and the ratio to the splitter.
Sentences are encoded one at a time, unpadded (scores do not depend on the batch), so the figures
are for that path.

Run: python benchmarks/extraction.py [--sentences 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _default_topics() -> dict:
    """The topics migration 0006 installs, as extraction receives them from the database."""
    import importlib

    from claims.extraction import TopicSpec

    rows = []
    for name in ("0006_topic_meanings_triage", "0010_environment_topic"):
        rows += importlib.import_module(f"claims.migrations.{name}").TOPICS
    return {
        slug: TopicSpec(
            keywords=tuple(k.strip() for k in keywords.split(",")),
            description=description,
            examples=tuple(examples.splitlines()),
        )
        for slug, _name, keywords, description, examples in rows
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from claims.extraction import analyse_text, score_sentences, split_sentences
    from claims.extraction.scoring import get_model

    article = (ROOT / "claims" / "data" / "seed-article.txt").read_text(encoding="utf-8")
    per_copy = len(split_sentences(article))
    text = "\n\n".join([article] * -(-args.sentences // per_copy))

    t0 = time.perf_counter()
    get_model()
    load = time.perf_counter() - t0
    analyse_text(article)  # warm caches

    spans = split_sentences(text)
    n = len(spans)
    result = analyse_text(text)
    scored = [s.text for s in result if not s.is_boilerplate]

    split_s = best_of(args.repeat, lambda: split_sentences(text))
    score_s = best_of(args.repeat, lambda: score_sentences(scored))
    full_s = best_of(args.repeat, lambda: analyse_text(text))
    topics = _default_topics()
    topics_s = best_of(args.repeat, lambda: analyse_text(text, topics=topics))

    print(f"cpu cores: {os.cpu_count()}  text: {len(text):,} chars, {n:,} sentences "
          f"({len(scored):,} scored, the rest boilerplate)")  # fmt: skip
    print(f"model load + checksum verification: {load:.2f} s (once per process)")
    print(f"split_sentences alone: {n / split_s:10,.0f} sentences/s ({split_s:.3f} s)")
    print(f"score_sentences alone: {len(scored) / score_s:10,.0f} sentences/s ({score_s:.3f} s)")
    print(f"analyse_text (all):    {n / full_s:10,.0f} sentences/s ({full_s:.3f} s)")
    print(f"analyse_text + topics: {n / topics_s:10,.0f} sentences/s ({topics_s:.3f} s)")
    print(f"analyse_text / split_sentences time ratio: {full_s / split_s:.1f}x slower")
    print(f"analyse_text + topics / split_sentences time ratio: {topics_s / split_s:.1f}x slower")
    return 0


if __name__ == "__main__":
    sys.exit(main())
