"""Check-worthiness scores and sentence embeddings from the shipped model, loaded once per process.

The model files in model/ are verified against model/SHA256SUMS before first use; a changed or
missing file raises ModelIntegrityError with the file's name.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np

from .model_runtime import ModelIntegrityError, OnnxModel
from .news_head import NewsHead, feature_matrix

MODEL_DIR = Path(__file__).resolve().parent / "model"


def _read_meta() -> dict:
    try:
        return json.loads((MODEL_DIR / "model.json").read_text())
    except (OSError, ValueError):
        return {}


_META = _read_meta()
MODEL_VERSION: str = _META.get("version", "unknown")  # e.g. "minilm-ft3-2026.11.26+newshead-..."
# Calibrated probability at or above which a sentence opens a claim (chosen for precision on
# news-dev), and the lower edge of the candidate band (chosen for recall); see MODEL.md.
OPEN_THRESHOLD: float = float(_META.get("open_threshold", _META.get("threshold", 0.5)))
CANDIDATE_THRESHOLD: float = float(_META.get("candidate_threshold", min(0.2, OPEN_THRESHOLD)))
DEFAULT_THRESHOLD: float = OPEN_THRESHOLD  # the old name

_lock = threading.Lock()
_model: OnnxModel | None = None
_head: NewsHead | None = None


def get_model() -> OnnxModel:
    """The process-wide model (verified and loaded on first call)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = OnnxModel(MODEL_DIR, verify=True)
    return _model


def get_head() -> NewsHead | None:
    """The calibrated news head (model/head.npz), or None for an encoder shipped without one."""
    global _head
    get_model()  # verifies the checksums, head.npz included
    if _head is None and (MODEL_DIR / "head.npz").exists():
        with _lock:
            if _head is None:
                _head = NewsHead.load(MODEL_DIR / "head.npz")
    return _head


def score_in_context(
    sentences: list[str], prev: list[int], nxt: list[int], positions: list[int]
) -> list[float]:
    return score_and_embed(sentences, prev, nxt, positions, embed=False)[0]


def score_and_embed(
    sentences: list[str], prev: list[int], nxt: list[int], positions: list[int], *, embed: bool
) -> tuple[list[float], np.ndarray | None]:
    """Calibrated check-worthiness of sentences that stand in an article, with their neighbours.

    Each sentence is encoded alone (model_runtime), so its score depends on its own text, its
    neighbours' texts and its position only, never on which other sentences share the call.
    """
    if not sentences:
        return [], (np.zeros((0, 384), dtype=np.float32) if embed else None)
    encoded = get_model().encode(list(sentences), embed=embed)
    logit = encoded["logit"]
    head = get_head()
    if head is None:
        p = 1.0 / (1.0 + np.exp(-logit))
    else:
        features = feature_matrix(
            logit,
            list(sentences),
            prev,
            nxt,
            positions,
            cw_logit=encoded.get("cw_logit"),
            names=head.features,
        )
        p = head.probability(features)
    return [float(x) for x in np.clip(p, 0.0, 1.0)], encoded.get("embedding")


def score_sentences(sentences: list[str]) -> list[float]:
    """Check-worthiness probability in [0, 1] for each sentence on its own (no neighbours).

    Deterministic: a sentence scores the same alone or in any list.
    """
    n = len(sentences)
    return score_in_context(list(sentences), [-1] * n, [-1] * n, [0] * n)


def embed_sentences(texts: list[str]) -> np.ndarray:
    """all-MiniLM-L6-v2 sentence embeddings, shape (n, 384), float32, L2-normalised."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return get_model().embed(list(texts))


__all__ = [
    "CANDIDATE_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "OPEN_THRESHOLD",
    "score_in_context",
    "MODEL_DIR",
    "MODEL_VERSION",
    "ModelIntegrityError",
    "embed_sentences",
    "get_model",
    "score_sentences",
]
