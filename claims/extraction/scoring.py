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

MODEL_DIR = Path(__file__).resolve().parent / "model"


def _read_meta() -> dict:
    try:
        return json.loads((MODEL_DIR / "model.json").read_text())
    except (OSError, ValueError):
        return {}


_META = _read_meta()
MODEL_VERSION: str = _META.get("version", "unknown")  # e.g. "minilm-ft3-2026.11.26"
DEFAULT_THRESHOLD: float = float(_META.get("threshold", 0.5))

_lock = threading.Lock()
_model: OnnxModel | None = None


def get_model() -> OnnxModel:
    """The process-wide model (verified and loaded on first call)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = OnnxModel(MODEL_DIR, verify=True)
    return _model


def score_sentences(sentences: list[str]) -> list[float]:
    """Check-worthiness probability in [0, 1] for each sentence (deterministic)."""
    if not sentences:
        return []
    return [float(x) for x in np.clip(get_model().score(list(sentences)), 0.0, 1.0)]


def embed_sentences(texts: list[str]) -> np.ndarray:
    """all-MiniLM-L6-v2 sentence embeddings, shape (n, 384), float32, L2-normalised."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return get_model().embed(list(texts))


__all__ = [
    "DEFAULT_THRESHOLD",
    "MODEL_DIR",
    "MODEL_VERSION",
    "ModelIntegrityError",
    "embed_sentences",
    "get_model",
    "score_sentences",
]
