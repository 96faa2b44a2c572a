"""Topic tags from meaning: sentence embeddings against each topic's description and examples.

A topic is a description and a few example sentences (what the desk covers), with keywords as
hints. A sentence gets a topic when its all-MiniLM-L6-v2 embedding is close to the topic's
description or to one of its examples (cosine >= MIN_SIMILARITY), or when a keyword occurs and
the meaning agrees at least loosely (cosine >= KEYWORD_SIMILARITY). So "the military campaign in
Helmand" no longer lands in Elections on the word "campaign" alone. At most MAX_TOPICS tags, best
first. Topics given as bare keyword lists (no description, no examples) keep the old keyword rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

MIN_SIMILARITY = 0.42
KEYWORD_SIMILARITY = 0.22
MAX_TOPICS = 2


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
                sim = float(sims[slug][i])
                if sim >= MIN_SIMILARITY or (hit and sim >= KEYWORD_SIMILARITY):
                    scored.append((-sim - (0.1 if hit else 0.0), order, slug))
            elif hit:
                scored.append((-1.0, order, slug))
        scored.sort()
        out.append(tuple(slug for _, _, slug in scored[:MAX_TOPICS]))
    return out
