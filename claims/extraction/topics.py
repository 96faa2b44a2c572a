"""Topic tags by keyword: case-insensitive, on word boundaries."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=64)
def _compile(items: tuple[tuple[str, tuple[str, ...]], ...]) -> list[tuple[str, re.Pattern]]:
    compiled = []
    for slug, keywords in items:
        words = sorted({k.strip() for k in keywords if k and k.strip()}, key=len, reverse=True)
        if not words:
            continue
        alternatives = "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
        compiled.append((slug, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)))
    return compiled


def match_topics(text: str, topics: dict[str, list[str]] | None) -> tuple[str, ...]:
    """Slugs of the topics whose keywords occur in text, in the order the topics were given."""
    if not topics:
        return ()
    key = tuple((slug, tuple(words)) for slug, words in topics.items())
    return tuple(slug for slug, pattern in _compile(key) if pattern.search(text))
