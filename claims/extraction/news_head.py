"""The news head: a small logistic model over the encoder's outputs and a sentence's context.

The ONNX encoder (trunk + cls_head fine-tuned on debates) gives, per sentence, a logit and its
pooled 384-d vector; sim_head gives the plain all-MiniLM-L6-v2 embedding. The head adds what
debates never showed the encoder: news-style cues (attribution, quotations, numbers, dates,
reported speech), the neighbouring sentences, and the sentence's place in the article. It is
trained on ClaimBuster plus news-dev (training.py), then calibrated on news-dev out of fold
(isotonic), so the score is a probability of "check-worthy factual sentence" on news.

Pure numpy: the weights are a small .npz in model/, checked against SHA256SUMS like the rest.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from . import lexicon as lex

_SPEECH = re.compile(rf"\b(?:{lex.SPEECH_VERBS})\b")
_REPORT = re.compile(
    r"\b(?:according to|reported|reports?|study|survey|analysis|data|figures|statistics|"
    r"estimates?|census|poll|records?|documents?|filings?)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d")
_QUANT = re.compile(
    r"(?:\d[\d,.]*\s*(?:%|percent|per cent|million|billion|trillion|thousand|bn|m\b|km|kg|"
    r"tonnes|tons|people|years?|days|hours)|[$£€¥]\s*\d)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b")
_MONTH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_QUOTE = re.compile(r"[“”\"]")
_FIRST = re.compile(r"\b(?:I|we|We|me|my|our|Our|us)\b")
_SECOND = re.compile(r"\b(?:you|your|You|Your)\b")
_MODAL = re.compile(r"\b(?:should|would|could|might|must|may|will|can|shall)\b", re.IGNORECASE)
_OPINION = re.compile(
    r"\b(?:think|believe|feel|hope|want|love|hate|great|wonderful|terrible|best|worst|"
    r"beautiful|amazing|important|need to|let's|let us)\b",
    re.IGNORECASE,
)
_CAPWORD = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+")
_WORD = re.compile(r"\w+")

CUE_NAMES = (
    "speech_verb", "report_word", "has_digit", "quantity", "year", "month_or_day", "quote",
    "first_person", "second_person", "modal", "opinion_word", "question", "exclamation",
    "log_words", "short", "no_end_punct", "cap_ratio", "log_position", "first_sentence",
)  # fmt: skip


def cues(text: str, position: int) -> list[float]:
    """Surface features of one sentence that the claimant rules and ClaimBuster's guide use."""
    words = _WORD.findall(text)
    n = max(len(words), 1)
    stripped = text.strip()
    return [
        float(bool(_SPEECH.search(text))),
        float(bool(_REPORT.search(text))),
        float(bool(_NUMBER.search(text))),
        float(bool(_QUANT.search(text))),
        float(bool(_YEAR.search(text))),
        float(bool(_MONTH.search(text))),
        float(bool(_QUOTE.search(text))),
        float(bool(_FIRST.search(text))),
        float(bool(_SECOND.search(text))),
        float(bool(_MODAL.search(text))),
        float(bool(_OPINION.search(text))),
        float(stripped.endswith("?")),
        float(stripped.endswith("!")),
        math.log1p(len(words)),
        float(len(words) < 6),
        float(not stripped.endswith((".", "?", "!", "”", '"', "’", "'", ")"))),
        len(_CAPWORD.findall(text)) / n,
        math.log1p(position),
        float(position == 0),
    ]


def feature_matrix(
    logit: np.ndarray,
    texts: list[str],
    prev: list[int],
    nxt: list[int],
    positions: list[int] | np.ndarray,
) -> np.ndarray:
    """One row per sentence: the encoder's logit, the cues, and the neighbours' logits.

    The encoder's pooled vectors and embeddings were tried as features too (see MODEL.md): on
    1,462 news sentences they overfit and scored no better, so the head stays this small.
    """
    logit = np.asarray(logit, dtype=np.float64)
    n = len(texts)
    cue = np.array([cues(t, int(p)) for t, p in zip(texts, positions, strict=True)]).reshape(
        n, len(CUE_NAMES)
    )

    def neighbour(index: list[int]) -> np.ndarray:
        return np.array([logit[j] if j >= 0 else 0.0 for j in index])

    return np.column_stack(
        [
            logit,
            cue,
            neighbour(prev),
            neighbour(nxt),
            [float(j >= 0) for j in prev],
            [float(j >= 0) for j in nxt],
        ]
    )


FEATURE_NAMES = ("encoder_logit", *CUE_NAMES, "prev_logit", "next_logit", "has_prev", "has_next")


class NewsHead:
    """Standardise, logistic unit, isotonic calibration: the shipped head (head.npz)."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.mean = params["mean"]
        self.scale = params["scale"]
        self.coef = params["coef"]
        self.intercept = float(params["intercept"])
        self.iso_x = params["iso_x"]
        self.iso_y = params["iso_y"]

    @classmethod
    def load(cls, path: Path) -> NewsHead:
        with np.load(path) as z:
            return cls({k: z[k] for k in z.files})

    def raw(self, features: np.ndarray) -> np.ndarray:
        z = (features - self.mean) / self.scale
        return z @ self.coef + self.intercept

    def probability(self, features: np.ndarray) -> np.ndarray:
        return calibrate(self.raw(features), self.iso_x, self.iso_y)


def calibrate(raw: np.ndarray, iso_x: np.ndarray, iso_y: np.ndarray) -> np.ndarray:
    """The isotonic map, as step-wise linear interpolation between its knots."""
    return np.clip(np.interp(raw, iso_x, iso_y), 0.0, 1.0)
