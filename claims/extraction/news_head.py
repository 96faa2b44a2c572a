"""The news head: a small logistic model over the encoder's outputs and a sentence's context.

The ONNX encoder (trunk + cls_head fine-tuned on debates) gives each sentence a logit. The head
combines it with the neighbouring sentences' logits (context), is trained on news-dev plus
ClaimBuster's dev debates (head_training.py), and is calibrated on news-dev out of fold
(isotonic), so the score is a probability of "check-worthy factual sentence" on news.

Pure numpy: the weights are a small .npz in model/, checked against SHA256SUMS like the rest.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def feature_matrix(
    logit: np.ndarray,
    texts: list[str],
    prev: list[int],
    nxt: list[int],
    positions: list[int] | np.ndarray,
) -> np.ndarray:
    """One row per sentence: the encoder's logit and its neighbours' (0 where there is none).

    Richer features were tried (the pooled vectors and embeddings, attribution/quotation/number/
    date cues, position in the article; MODEL.md): under nested document-wise cross-validation
    they scored no better on news and worse on debates, so the head stays this small. `texts`
    and `positions` are taken so that a richer head can be dropped in without changing callers.
    """
    logit = np.asarray(logit, dtype=np.float64).reshape(-1)

    def neighbour(index: list[int]) -> np.ndarray:
        return np.array([logit[j] if j >= 0 else 0.0 for j in index], dtype=np.float64)

    return np.column_stack(
        [
            logit,
            neighbour(prev),
            neighbour(nxt),
            np.array([float(j >= 0) for j in prev]),
            np.array([float(j >= 0) for j in nxt]),
        ]
    ).reshape(len(logit), len(FEATURE_NAMES))


FEATURE_NAMES = ("encoder_logit", "prev_logit", "next_logit", "has_prev", "has_next")


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
