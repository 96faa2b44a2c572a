"""Topic tags from meaning: sentence embeddings against each topic's description and examples.

A topic is a description and a few example sentences (what the desk covers), with keywords as
hints. Each sentence's all-MiniLM-L6-v2 embedding is compared with each topic's description and
examples (best cosine), plus KEYWORD_BONUS when a keyword occurs. The best topic is tagged at
TOP_SIMILARITY or more, a second one at SECOND_SIMILARITY or more (at most two tags). So "the
military campaign" goes to Security, not Elections on the word "campaign" alone. Topics given as
bare keyword lists (no description, no examples) keep the old keyword rule.
The three numbers were set on the labelled list in tests/extraction/test_topics_meaning.py
(precision 0.93 there, a development figure: the same list chose them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

TOP_SIMILARITY = 0.33
SECOND_SIMILARITY = 0.5
KEYWORD_BONUS = 0.1


@dataclass(frozen=True)
class TopicSpec:
    keywords: tuple[str, ...] = ()
    description: str = ""
    examples: tuple[str, ...] = field(default_factory=tuple)

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(t for t in (self.description, *self.examples) if t.strip())


def _as_spec(value) -> TopicSpec:
    if isinstance(value, TopicSpec):
        return value
    return TopicSpec(keywords=tuple(value or ()))


@lru_cache(maxsize=256)
def _keyword_pattern(words: tuple[str, ...]) -> re.Pattern | None:
    words = tuple(sorted({k.strip() for k in words if k and k.strip()}, key=len, reverse=True))
    if not words:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=64)
def _prototypes(texts: tuple[str, ...]) -> np.ndarray:
    from .scoring import embed_sentences

    return embed_sentences(list(texts))


def match_topics(
    text: str, topics: dict | None, *, embedding: np.ndarray | None = None
) -> tuple[str, ...]:
    """Slugs of the topics `text` is about, best first (keywords only when no embedding given)."""
    return match_topics_many([text], topics, None if embedding is None else embedding[None, :])[0]


def match_topics_many(
    texts: list[str], topics: dict | None, embeddings: np.ndarray | None = None
) -> list[tuple[str, ...]]:
    if not topics or not texts:
        return [() for _ in texts]
    specs = {slug: _as_spec(value) for slug, value in topics.items()}
    semantic = embeddings is not None and any(spec.texts for spec in specs.values())
    sims: dict[str, np.ndarray] = {}
    if semantic:
        for slug, spec in specs.items():
            if spec.texts:
                sims[slug] = (embeddings @ _prototypes(spec.texts).T).max(axis=1)
    out = []
    for i, text in enumerate(texts):
        scored = []
        for order, (slug, spec) in enumerate(specs.items()):
            pattern = _keyword_pattern(spec.keywords)
            hit = bool(pattern and pattern.search(text))
            if slug in sims:
                scored.append(
                    (-(float(sims[slug][i]) + (KEYWORD_BONUS if hit else 0.0)), order, slug)
                )
            elif hit:
                scored.append((-1.0, order, slug))
        scored.sort()
        tags = [
            slug
            for rank, (negative, _, slug) in enumerate(scored[:2])
            if -negative >= (TOP_SIMILARITY if rank == 0 else SECOND_SIMILARITY)
        ]
        out.append(tuple(tags))
    return out
