"""Check-worthiness scores. TEMPORARY heuristic until the trained model lands."""

from __future__ import annotations

import re

MODEL_VERSION = "heuristic-0"
DEFAULT_THRESHOLD = 0.5


def score_sentences(sentences: list[str]) -> list[float]:
    out = []
    for s in sentences:
        score = 0.2 + 0.3 * bool(re.search(r"\d", s)) + 0.3 * (len(s.split()) > 8)
        out.append(min(1.0, score))
    return out
