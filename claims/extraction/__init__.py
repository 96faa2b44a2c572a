"""Claim extraction: sentences, check-worthiness, claimants, topics.

Placeholder until the extraction work lands: a plain sentence split and a keyword heuristic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

MODEL_VERSION = "placeholder-0"
DEFAULT_THRESHOLD = 0.5

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])|\n+")
_REPORTED = re.compile(
    r"(?P<name>(?:[A-Z][a-z]+\s){0,3}[A-Z][a-z]+)\s+(?:said|noted|warned|claimed|told|added)\b"
)


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


@dataclass
class ArticleContent:
    text: str
    title: str = ""
    author: str = ""
    publisher: str = ""
    published_at: datetime | None = None
    language: str = "en"


def split_sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if text[start : match.start()].strip():
            end = match.start() + len(match.group().rstrip().rstrip("\n"))
            end = match.start() + (len(match.group()) - len(match.group().lstrip('"”’)')))
            spans.append((start, end))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(s + (len(text[s:e]) - len(text[s:e].lstrip())), e) for s, e in spans]


def score_sentences(sentences: list[str]) -> list[float]:
    scores = []
    for sentence in sentences:
        words = sentence.split()
        numbers = sum(any(ch.isdigit() for ch in w) for w in words)
        score = min(1.0, 0.2 + 0.05 * min(len(words), 10) + 0.2 * min(numbers, 2))
        scores.append(round(score, 4))
    return scores


def parse_html(html: str, *, url: str | None = None) -> ArticleContent:
    title = re.search(r"<title>(.*?)</title>", html, re.I | re.S)
    body = re.sub(r"<(script|style|title|nav)[^>]*>.*?</\1>", " ", html, flags=re.I | re.S)
    text = re.sub(r"<[^>]+>", " ", body)
    return ArticleContent(
        text=re.sub(r"[ \t]+", " ", text).strip(), title=title.group(1).strip() if title else ""
    )


def analyse_text(
    text: str, *, threshold: float | None = None, topics: dict[str, list[str]] | None = None
) -> list[ExtractedSentence]:
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    spans = split_sentences(text)
    sentences = [text[s:e] for s, e in spans]
    scores = score_sentences(sentences)
    out = []
    for i, ((start, end), sentence, score) in enumerate(zip(spans, sentences, scores, strict=True)):
        boiler = len(sentence.split()) < 4
        match = _REPORTED.search(sentence)
        tags = tuple(
            slug
            for slug, words in (topics or {}).items()
            if any(re.search(rf"\b{re.escape(w)}\b", sentence, re.I) for w in words)
        )
        context = " ".join(sentences[max(0, i - 1) : i + 2])
        out.append(
            ExtractedSentence(
                position=i,
                text=sentence,
                start=start,
                end=end,
                context=context,
                score=score,
                check_worthy=score >= threshold and not boiler,
                is_boilerplate=boiler,
                claimant=match.group("name") if match else None,
                claimant_method="reported_speech" if match else "",
                topics=tags,
            )
        )
    return out
