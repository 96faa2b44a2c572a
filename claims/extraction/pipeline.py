"""analyse_text: split, flag boilerplate, score, attribute and tag the sentences of an article."""

from __future__ import annotations

from dataclasses import dataclass

from .boilerplate import is_boilerplate
from .claimants import attribute
from .scoring import DEFAULT_THRESHOLD, score_sentences
from .sentences import split_sentences
from .topics import match_topics


@dataclass(frozen=True)
class ExtractedSentence:
    position: int
    text: str
    start: int
    end: int
    context: str
    score: float
    check_worthy: bool
    is_boilerplate: bool
    claimant: str | None
    claimant_method: str
    topics: tuple[str, ...] = ()


def _paragraph_of(text: str, start: int, end: int) -> str:
    p0 = text.rfind("\n", 0, start) + 1
    p1 = text.find("\n", end)
    return text[p0 : p1 if p1 >= 0 else len(text)]


def analyse_text(
    text: str,
    *,
    threshold: float | None = None,
    topics: dict[str, list[str]] | None = None,
) -> list[ExtractedSentence]:
    """Every sentence of `text` with its offsets, score, boilerplate flag, claimant and topics."""
    if threshold is None:
        threshold = DEFAULT_THRESHOLD
    spans = split_sentences(text)
    sentences = [text[s:e] for s, e in spans]
    boiler = [
        is_boilerplate(t, paragraph=_paragraph_of(text, s, e))
        for t, (s, e) in zip(sentences, spans, strict=True)
    ]
    to_score = [i for i, b in enumerate(boiler) if not b]
    scores = [0.0] * len(sentences)
    for i, value in zip(to_score, score_sentences([sentences[i] for i in to_score]), strict=True):
        scores[i] = float(value)
    attributions = attribute(text, spans, skip=boiler)
    out = []
    for i, ((start, end), sentence) in enumerate(zip(spans, sentences, strict=True)):
        c0 = spans[max(0, i - 1)][0]
        c1 = spans[min(len(spans) - 1, i + 1)][1]
        out.append(
            ExtractedSentence(
                position=i,
                text=sentence,
                start=start,
                end=end,
                context=text[c0:c1],
                score=scores[i],
                check_worthy=(not boiler[i]) and scores[i] >= threshold,
                is_boilerplate=boiler[i],
                claimant=attributions[i].claimant,
                claimant_method=attributions[i].method,
                topics=match_topics(sentence, topics),
            )
        )
    return out
