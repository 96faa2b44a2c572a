"""The news head: a small logistic model over the encoders' outputs and a sentence's context.

The ONNX encoders give each sentence a logit: the shipped three-layer fine-tune (trunk +
cls_head, `encoder_logit`) and, where it ships, the fully fine-tuned encoder (cw_encoder.onnx,
`cw_logit`). The head combines them with the neighbouring sentences' logits (context), is trained
on news-dev plus ClaimBuster's dev debates (head_training.py), and is calibrated on news-dev out
of fold (isotonic), so the score is a probability of "check-worthy factual sentence" on news.

Pure numpy: the weights are a small .npz in model/, checked against SHA256SUMS like the rest;
the .npz names the features it was fitted on (`features`), and the runtime builds those.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

# Every feature a head may use, in a fixed order; a head uses a subset (its `features`).
ALL_FEATURES = (
    "encoder_logit", "prev_logit", "next_logit",
    "cw_logit", "cw_prev_logit", "cw_next_logit",
    "has_prev", "has_next",
)  # fmt: skip
# The first release's head (a head.npz without `features`).
LEGACY_FEATURES = ("encoder_logit", "prev_logit", "next_logit", "has_prev", "has_next")
FEATURE_NAMES = LEGACY_FEATURES  # the old name
# With the news encoder (news_encoder.py): the first release's five and its logit.
NEWS_FEATURES = LEGACY_FEATURES + ("cw_logit",)


class MissingEncoderError(RuntimeError):
    """The head needs an encoder output (e.g. cw_logit) that the model files do not provide."""


def feature_matrix(
    logit: np.ndarray,
    texts: list[str],
    prev: list[int],
    nxt: list[int],
    positions: list[int] | np.ndarray,
    *,
    cw_logit: np.ndarray | None = None,
    names: tuple[str, ...] | list[str] = LEGACY_FEATURES,
) -> np.ndarray:
    """One row per sentence, the columns `names`: the encoders' logits and their neighbours'
    (0 where there is none), and "has a neighbour" flags.

    Richer features were tried (the pooled vectors and embeddings, attribution/quotation/number/
    date cues, the claimant rules' output, the article's mean logit, position; MODEL.md): under
    nested document-wise cross-validation they scored no better on news, so the head stays this
    small. `texts` and `positions` are taken so that a richer head can be dropped in without
    changing callers.
    """
    logit = np.asarray(logit, dtype=np.float64).reshape(-1)
    n = len(logit)

    def neighbour(values: np.ndarray, index: list[int]) -> np.ndarray:
        return np.array([values[j] if j >= 0 else 0.0 for j in index], dtype=np.float64)

    columns = {
        "encoder_logit": lambda: logit,
        "prev_logit": lambda: neighbour(logit, prev),
        "next_logit": lambda: neighbour(logit, nxt),
        "has_prev": lambda: np.array([float(j >= 0) for j in prev]),
        "has_next": lambda: np.array([float(j >= 0) for j in nxt]),
    }
    if cw_logit is not None:
        cw = np.asarray(cw_logit, dtype=np.float64).reshape(-1)
        columns.update(
            cw_logit=lambda: cw,
            cw_prev_logit=lambda: neighbour(cw, prev),
            cw_next_logit=lambda: neighbour(cw, nxt),
        )
    missing = [name for name in names if name not in columns]
    if missing:
        raise MissingEncoderError(
            f"The news head needs {', '.join(missing)}, which the model files do not provide "
            f"(is {'cw_encoder.onnx' if 'cw_logit' in missing else 'a model file'} missing?)."
        )
    return np.column_stack([columns[name]() for name in names]).reshape(n, len(names))


class NewsHead:
    """Standardise, logistic unit, isotonic calibration: the shipped head (head.npz)."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.mean = params["mean"]
        self.scale = params["scale"]
        self.coef = params["coef"]
        self.intercept = float(params["intercept"])
        self.iso_x = params["iso_x"]
        self.iso_y = params["iso_y"]
        names = params.get("features")
        self.features = (
            tuple(str(x) for x in np.asarray(names).reshape(-1))
            if names is not None
            else LEGACY_FEATURES
        )

    @classmethod
    def load(cls, path: Path) -> NewsHead:
        with np.load(path) as z:
            return cls({k: z[k] for k in z.files})

    @property
    def needs_cw(self) -> bool:
        return any(name.startswith("cw_") for name in self.features)

    @property
    def needs_encoder_logit(self) -> bool:
        return any(name in ("encoder_logit", "prev_logit", "next_logit") for name in self.features)

    def raw(self, features: np.ndarray) -> np.ndarray:
        z = (features - self.mean) / self.scale
        return z @ self.coef + self.intercept

    def probability(self, features: np.ndarray) -> np.ndarray:
        return calibrate(self.raw(features), self.iso_x, self.iso_y)


def calibrate(raw: np.ndarray, iso_x: np.ndarray, iso_y: np.ndarray) -> np.ndarray:
    """The isotonic map, as step-wise linear interpolation between its knots."""
    return np.clip(np.interp(raw, iso_x, iso_y), 0.0, 1.0)
