"""analyse_text: split, flag boilerplate, score, attribute and tag the sentences of an article.

Each sentence lands in one band, with the reason in words:
- "open": calibrated score at or above the open threshold (chosen for precision);
- "candidate": below it, at or above the candidate threshold (chosen for recall), for triage;
- "low": below the candidate threshold: not check-worthy, kept (collapsed, searchable);
- "no_model": the article's language has no check-worthiness model; not scored, a candidate;
- "boilerplate": captions, bylines, share lines, fragments; not scored, not filed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .boilerplate import is_boilerplate
from .claimants import attribute
from .language import detect_language, has_model, language_name
from .scoring import CANDIDATE_THRESHOLD, OPEN_THRESHOLD, score_and_embed
from .sentences import split_sentences
from .topics import match_topics_many

OPEN = "open"
CANDIDATE = "candidate"
LOW = "low"
NO_MODEL = "no_model"
BOILERPLATE = "boilerplate"


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
    band: str = CANDIDATE
    reason: str = ""
    claimant_type: str = ""  # "Person", "Organization" or "" (unknown / no claimant)
    language: str = "en"


def _paragraph_of(text: str, start: int, end: int) -> str:
    p0 = text.rfind("\n", 0, start) + 1
    p1 = text.find("\n", end)
    return text[p0 : p1 if p1 >= 0 else len(text)]


def band_for(score: float, open_threshold: float, candidate_threshold: float) -> tuple[str, str]:
    """The band a calibrated score falls in, and why, in words an editor reads on the page."""
    if score >= open_threshold:
        return OPEN, f"score {score:.2f} ≥ {open_threshold:.2f} opens a claim"
    if score >= candidate_threshold:
        return CANDIDATE, (
            f"score {score:.2f} < {open_threshold:.2f} (open) and ≥ {candidate_threshold:.2f}: "
            "a candidate for triage"
        )
    return LOW, (
        f"score {score:.2f} < {candidate_threshold:.2f}: not check-worthy (kept, collapsed)"
    )


def _with_context(embeddings):
    """Each sentence's embedding with half of its neighbours' added: a topic is read in context
    ("The campaign has failed to dislodge the group" after sentences about fighting)."""
    if embeddings is None or len(embeddings) == 0:
        return embeddings
    mixed = embeddings.astype(np.float64).copy()
    mixed[1:] += 0.5 * embeddings[:-1]
    mixed[:-1] += 0.5 * embeddings[1:]
    mixed /= np.maximum(np.linalg.norm(mixed, axis=1, keepdims=True), 1e-12)
    return mixed.astype(np.float32)


def no_model_reason(language: str) -> str:
    return f"no check-worthiness model for {language_name(language)}"


def analyse_text(
    text: str,
    *,
    threshold: float | None = None,
    candidate_threshold: float | None = None,
    topics: dict | None = None,
    language: str | None = None,
) -> list[ExtractedSentence]:
    """Every sentence of `text` with its offsets, score, band and reason, claimant and topics.

    `threshold` is the open threshold; `language` None detects it from the text.
    """
    open_t = OPEN_THRESHOLD if threshold is None else float(threshold)
    cand_t = CANDIDATE_THRESHOLD if candidate_threshold is None else float(candidate_threshold)
    cand_t = min(cand_t, open_t)
    language = language or detect_language(text)
    modelled = has_model(language)
    spans = split_sentences(text)
    sentences = [text[s:e] for s, e in spans]
    boiler = [
        is_boilerplate(t, paragraph=_paragraph_of(text, s, e))
        for t, (s, e) in zip(sentences, spans, strict=True)
    ]
    to_score = [i for i, b in enumerate(boiler) if not b]
    scores = [0.0] * len(sentences)
    embeddings = None
    if modelled and to_score:
        # Neighbours are the adjacent scored sentences (boilerplate between them is skipped).
        n = len(to_score)
        semantic = bool(topics) and any(getattr(v, "texts", ()) for v in topics.values())
        values, embeddings = score_and_embed(
            [sentences[i] for i in to_score],
            [j - 1 for j in range(n)],
            [j + 1 if j + 1 < n else -1 for j in range(n)],
            list(to_score),
            embed=semantic,
        )
        for i, value in zip(to_score, values, strict=True):
            scores[i] = float(value)
    if modelled:
        attributions = attribute(text, spans, skip=boiler)
        tagged = match_topics_many(
            [sentences[i] for i in to_score], topics, _with_context(embeddings)
        )
    else:
        attributions = [None] * len(sentences)
        tagged = [()] * len(to_score)
    topics_of = dict(zip(to_score, tagged, strict=True))
    out = []
    for i, ((start, end), sentence) in enumerate(zip(spans, sentences, strict=True)):
        c0 = spans[max(0, i - 1)][0]
        c1 = spans[min(len(spans) - 1, i + 1)][1]
        if boiler[i]:
            band, reason = (
                BOILERPLATE,
                "boilerplate (caption, byline, label or fragment): not scored",
            )
        elif not modelled:
            band, reason = NO_MODEL, no_model_reason(language)
        else:
            band, reason = band_for(scores[i], open_t, cand_t)
        found = attributions[i]
        out.append(
            ExtractedSentence(
                position=i,
                text=sentence,
                start=start,
                end=end,
                context=text[c0:c1],
                score=scores[i],
                check_worthy=band == OPEN,
                is_boilerplate=boiler[i],
                claimant=found.claimant if found else None,
                claimant_method=found.method if found else "",
                topics=topics_of.get(i, ()),
                band=band,
                reason=reason,
                claimant_type=(found.kind if found and found.claimant else ""),
                language=language,
            )
        )
    return out
