"""Train and evaluate the news head (news_head.py) on CPU in a minute; write model/head.npz.

Protocol (all figures out of fold, split by document, never by sentence):
- news-dev's 48 documents in 5 document-wise folds (GroupKFold, deterministic). For each outer
  fold, inside its training documents: a 4-fold inner split gives out-of-fold raw scores, an
  isotonic map is fitted on them, and the open and candidate thresholds are chosen on them;
  then the logistic head is fitted on all the training documents and applied to the held-out
  fold, calibrated, and cut at the thresholds chosen without it. The pooled held-out figures are
  what we report: precision, recall and F1 (check-worthy = CFS vs UFS + NFS), average
  precision, the reliability table and the expected calibration error (ECE).
- The shipped head: the same recipe on all 48 documents (isotonic map and thresholds from the
  5-fold out-of-fold scores), written to model/head.npz with thresholds in model.json.
- Debates: the shipped head applied to ClaimBuster's held-out test debates (the debates the
  encoder never saw), with each sentence's neighbours from its debate.

Needs scikit-learn (requirements-train.txt); the runtime needs only numpy.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from . import head_data as hd
from .news_encoder import cross_fitted_logits
from .news_head import ALL_FEATURES, LEGACY_FEATURES, NEWS_FEATURES, calibrate, feature_matrix

C = 0.3  # logistic regression's inverse regularisation (chosen by news-dev CV among 0.1-1)
OPEN_MIN_PRECISION = 0.75  # the open threshold: best F1 with at least this precision
CANDIDATE_MIN_RECALL = 0.95  # the candidate threshold: the highest keeping this recall
BINS = 10


# Debate rows (ClaimBuster's dev debates) join every fit, weighted to equal the news rows in total,
# so the head keeps working on transcripts; they never enter calibration or thresholds.
_EXTRA: dict[str, np.ndarray] = {}


def _fit(X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    weights = np.ones(len(y))
    if _EXTRA:
        X = np.vstack([X, _EXTRA["X"]])
        weights = np.r_[weights, np.full(len(_EXTRA["y"]), len(y) / len(_EXTRA["y"]))]
        y = np.r_[y, _EXTRA["y"]]
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-6] = 1.0
    model = LogisticRegression(C=C, max_iter=5000).fit((X - mean) / scale, y, sample_weight=weights)
    return {
        "mean": mean,
        "scale": scale,
        "coef": model.coef_[0].astype(np.float64),
        "intercept": np.array(float(model.intercept_[0])),
    }


def _raw(params: dict, X: np.ndarray) -> np.ndarray:
    return ((X - params["mean"]) / params["scale"]) @ params["coef"] + float(params["intercept"])


def _isotonic(raw: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, y)
    return np.asarray(iso.X_thresholds_, dtype=np.float64), np.asarray(
        iso.y_thresholds_, dtype=np.float64
    )


def _folds(groups: np.ndarray, k: int):
    from sklearn.model_selection import GroupKFold

    return list(GroupKFold(n_splits=k).split(np.zeros(len(groups)), groups=groups))


def choose_thresholds(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(open, candidate): open = best F1 at precision >= 0.75; candidate = recall >= 0.95."""
    candidates = np.unique(np.round(p, 4))
    best_open, best_f1 = None, -1.0
    best_candidate = float(candidates.min()) if len(candidates) else 0.0
    positives = max(int(y.sum()), 1)
    for t in candidates:
        flagged = p >= t
        tp = int((flagged & (y == 1)).sum())
        precision = tp / max(int(flagged.sum()), 1)
        recall = tp / positives
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        if precision >= OPEN_MIN_PRECISION and f1 > best_f1:
            best_open, best_f1 = float(t), f1
        if recall >= CANDIDATE_MIN_RECALL:
            best_candidate = max(best_candidate, float(t))
    if best_open is None:
        best_open = float(candidates.max()) if len(candidates) else 0.5
    return best_open, min(best_candidate, best_open)


def metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> dict:
    from sklearn.metrics import average_precision_score

    flagged = p >= threshold
    tp = int((flagged & (y == 1)).sum())
    precision = tp / max(int(flagged.sum()), 1)
    recall = tp / max(int(y.sum()), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    ap = float(average_precision_score(y, p)) if 0 < y.sum() < len(y) else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "average_precision": round(ap, 4),
        "threshold": round(float(threshold), 4),
        "n": int(len(y)),
        "positives": int(y.sum()),
    }


def reliability(y: np.ndarray, p: np.ndarray, bins: int = BINS) -> tuple[list[dict], float]:
    """Equal-width bins of the shown probability: count, mean shown, observed rate; and ECE."""
    rows, ece = [], 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = (p >= lo) & ((p < hi) if b < bins - 1 else (p <= hi))
        if not inside.any():
            rows.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": 0, "shown": None, "observed": None})
            continue
        shown, observed = float(p[inside].mean()), float(y[inside].mean())
        ece += inside.sum() / len(p) * abs(shown - observed)
        rows.append(
            {
                "bin": f"{lo:.1f}-{hi:.1f}",
                "n": int(inside.sum()),
                "shown": round(shown, 3),
                "observed": round(observed, 3),
            }
        )
    return rows, round(float(ece), 4)


def default_features(enc: dict, news_encoder: bool = False) -> tuple[str, ...]:
    """The head's inputs: the first release's five, plus the news encoder's logit where it ships
    (news_encoder.py), or both encoders' logits with their neighbours' where the debate-trained
    full fine-tune ships (fixed in advance for that one, not chosen on news-dev's test folds)."""
    if news_encoder:
        return NEWS_FEATURES
    return ALL_FEATURES if "cw_logit" in enc else LEGACY_FEATURES


def news_features(corpus: hd.Corpus, enc: dict, names=LEGACY_FEATURES) -> np.ndarray:
    return feature_matrix(
        enc["logit"],
        corpus.texts,
        corpus.prev,
        corpus.next,
        corpus.positions,
        cw_logit=enc.get("cw_logit"),
        names=names,
    )


def _inner_calibration(X, y, groups, k: int):
    raw = np.zeros(len(y))
    for tr, te in _folds(groups, k):
        raw[te] = _raw(_fit(X[tr], y[tr]), X[te])
    iso_x, iso_y = _isotonic(raw, y)
    p = calibrate(raw, iso_x, iso_y)
    return iso_x, iso_y, p


def cross_validate(X: np.ndarray, y: np.ndarray, groups: np.ndarray, k: int = 5) -> dict:
    """Nested document-wise CV: pooled held-out probabilities and per-fold chosen thresholds."""
    p = np.zeros(len(y))
    open_at = np.zeros(len(y))
    candidate_at = np.zeros(len(y))
    for tr, te in _folds(groups, k):
        iso_x, iso_y, inner_p = _inner_calibration(
            X[tr], y[tr], groups[tr], min(4, len(set(groups[tr])))
        )
        t_open, t_candidate = choose_thresholds(inner_p, y[tr])
        p[te] = calibrate(_raw(_fit(X[tr], y[tr]), X[te]), iso_x, iso_y)
        open_at[te], candidate_at[te] = t_open, t_candidate
    flagged_open = p >= open_at
    flagged_candidate = p >= candidate_at
    table, ece = reliability(y, p)
    return {
        "p": p,
        "open": _counts(y, flagged_open, p),
        "candidate": _counts(y, flagged_candidate, p),
        "reliability": table,
        "ece": ece,
    }


def _counts(y: np.ndarray, flagged: np.ndarray, p: np.ndarray) -> dict:
    from sklearn.metrics import average_precision_score

    tp = int((flagged & (y == 1)).sum())
    precision = tp / max(int(flagged.sum()), 1)
    recall = tp / max(int(y.sum()), 1)
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / max(precision + recall, 1e-9), 4),
        "average_precision": round(float(average_precision_score(y, p)), 4),
        "flagged": int(flagged.sum()),
        "n": int(len(y)),
        "positives": int(y.sum()),
    }


def train_head(
    model_dir: Path,
    out: Path,
    *,
    news_dir: Path = hd.NEWS_DEV,
    claimbuster_dir: Path | None = hd.CLAIMBUSTER,
    debate_limit: int | None = None,
    docs_limit: int | None = None,
    features: tuple[str, ...] | None = None,
    log=print,
) -> dict:
    """Cross-validate on news-dev, fit the shipped head, measure debates; write head.npz.

    `features` defaults to default_features(): both encoders where cw_encoder.onnx ships."""
    from .model_runtime import OnnxModel
    from .training import DEV_DEBATES, TEST_DEBATES

    started = time.time()
    model = OnnxModel(model_dir, verify=False)
    news = hd.load_news_dev(news_dir)
    if docs_limit:
        keep_docs = sorted(set(news.groups))[:docs_limit]
        news = hd.subset(news, [g in keep_docs for g in news.groups])
    enc = hd.encode_cached(model, news.texts, model_dir)
    # The news encoder was trained on news-dev: the head learns from its cross-fitted logits
    # (each sentence scored by an encoder that never saw its document), never its own.
    cross_fitted = cross_fitted_logits(model_dir, news.texts)
    if cross_fitted is not None:
        enc = {**enc, "cw_logit": cross_fitted}
        log("news-dev cw_logit: the news encoder's cross-fitted logits (cw_news_oof.npz)")
    features = tuple(features or default_features(enc, cross_fitted is not None))
    log(f"head features: {', '.join(features)}")
    X = news_features(news, enc, features)
    y = news.labels
    _EXTRA.clear()
    if claimbuster_dir is not None and (claimbuster_dir / "crowdsourced.csv").exists():
        dev = hd.load_claimbuster(claimbuster_dir)
        dev = hd.subset(dev, [g in DEV_DEBATES for g in dev.groups], limit=debate_limit)
        dev_enc = hd.encode_by_group(model, dev, model_dir)
        _EXTRA.update(X=news_features(dev, dev_enc, features), y=dev.labels)
        log(f"dev debates in every fit: {len(dev.labels)} sentences, {int(dev.labels.sum())} CFS")
    groups = np.array(news.groups)
    k = min(5, len(set(news.groups)))
    log(f"news-dev: {len(y)} sentences, {len(set(news.groups))} documents, {int(y.sum())} CFS")
    encoder = metrics(y, 1 / (1 + np.exp(-enc["logit"])), 0.28)
    log(
        "  encoder alone (debate-trained, its old 0.28 threshold): "
        f"precision {encoder['precision']:.3f} recall {encoder['recall']:.3f} "
        f"f1 {encoder['f1']:.3f} average precision {encoder['average_precision']:.3f}"
    )
    cv = cross_validate(X, y, groups, k)
    for band in ("open", "candidate"):
        m = cv[band]
        log(
            f"  news-dev {k}-fold by document, {band} threshold chosen inside each fold: "
            f"precision {m['precision']:.3f} recall {m['recall']:.3f} f1 {m['f1']:.3f} "
            f"average precision {m['average_precision']:.3f} ({m['flagged']} of {m['n']} flagged)"
        )
    log(f"  calibration (held-out, {BINS} bins): ECE {cv['ece']:.3f}")
    log("    bin        n    shown  observed")
    for row in cv["reliability"]:
        if row["n"]:
            log(f"    {row['bin']}  {row['n']:4d}  {row['shown']:.3f}  {row['observed']:.3f}")
    # The shipped head: all documents.
    iso_x, iso_y, oof_p = _inner_calibration(X, y, groups, k)
    t_open, t_candidate = choose_thresholds(oof_p, y)
    params = _fit(X, y)
    params.update(iso_x=iso_x, iso_y=iso_y, features=np.array(features))
    log(f"  shipped thresholds: open {t_open:.2f}, candidate {t_candidate:.2f}")
    per_release = {}
    first_release = set(news.groups[:490]) if len(news.groups) >= 490 else set()
    for name, mask in (
        ("first release", np.array([g in first_release for g in news.groups])),
        ("second release", np.array([g not in first_release for g in news.groups])),
    ):
        if mask.any() and y[mask].sum() > 0:
            per_release[name] = metrics(y[mask], cv["p"][mask], t_open)
            r = per_release[name]
            log(
                f"    {name}: precision {r['precision']:.3f} recall {r['recall']:.3f} "
                f"f1 {r['f1']:.3f} (n {r['n']})"
            )
    debates = {}
    if claimbuster_dir is not None and (claimbuster_dir / "crowdsourced.csv").exists():
        cb = hd.load_claimbuster(claimbuster_dir)
        cb = hd.subset(cb, [g in TEST_DEBATES for g in cb.groups], limit=debate_limit)
        cb_enc = hd.encode_by_group(model, cb, model_dir)
        p_deb = calibrate(_raw(params, news_features(cb, cb_enc, features)), iso_x, iso_y)
        for band, t in (("open", t_open), ("candidate", t_candidate)):
            debates[band] = metrics(cb.labels, p_deb, t)
        best = max(
            (metrics(cb.labels, p_deb, t) for t in np.unique(np.round(p_deb, 3))),
            key=lambda m: m["f1"],
        )
        debates["best_threshold"] = best
        debates["encoder_alone"] = metrics(cb.labels, 1 / (1 + np.exp(-cb_enc["logit"])), 0.28)
        for band in ("open", "candidate", "best_threshold", "encoder_alone"):
            m = debates[band]
            log(
                f"  held-out debates ({m['n']} sentences), {band.replace('_', ' ')} "
                f"({m['threshold']:.2f}): precision {m['precision']:.3f} "
                f"recall {m['recall']:.3f} f1 {m['f1']:.3f} "
                f"average precision {m['average_precision']:.3f}"
            )
    out.mkdir(parents=True, exist_ok=True)
    np.savez(out / "head.npz", **{k: np.asarray(v) for k, v in params.items()})
    summary = {
        "features": list(features),
        "C": C,
        "open_threshold": round(t_open, 4),
        "candidate_threshold": round(t_candidate, 4),
        "news_dev_cv": {"open": cv["open"], "candidate": cv["candidate"]},
        "news_dev_per_release": per_release,
        "calibration": {"ece": cv["ece"], "reliability": cv["reliability"]},
        "debates": debates,
        "seconds": round(time.time() - started, 1),
    }
    return summary


def update_model_json(out: Path, summary: dict) -> dict:
    """Record the head in model.json (thresholds, figures) and rewrite SHA256SUMS."""
    from .training import write_checksums

    meta_path = out / "model.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    meta["head"] = summary
    meta["threshold"] = summary["open_threshold"]
    meta["open_threshold"] = summary["open_threshold"]
    meta["candidate_threshold"] = summary["candidate_threshold"]
    base = str(meta.get("version", "minilm-ft3")).split("+")[0]
    full = ""
    if any(f.startswith("cw_") for f in summary.get("features", ())):
        cw_meta = out / "cw_encoder.json"
        kind = json.loads(cw_meta.read_text()).get("kind") if cw_meta.exists() else None
        full = "+newsft6" if kind == "news" else "+ft6"
    meta["version"] = f"{base}{full}+newshead-{time.strftime('%Y.%m.%d')}"
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    write_checksums(out)
    return meta
