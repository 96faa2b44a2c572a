"""Reference baselines on the same held-out debates as training.py (training-only dependencies).

TF-IDF + logistic regression, frozen all-MiniLM-L6-v2 embeddings (fp32, sentence-transformers) +
logistic regression, and both feature sets together. The threshold is chosen on the dev debates
and the figures are reported on the test debates, as for the shipped model.

Run: python -m claims.extraction.baselines [--data PATH] [--cache emb.npy]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .training import (
    DEFAULT_DATA,
    DEV_DEBATES,
    TEST_DEBATES,
    _base_model_dir,
    _best_threshold,
    _metrics,
    load_claimbuster,
)


def run(data: Path = DEFAULT_DATA, cache: Path | None = None, log=print) -> dict:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts, labels, debates = load_claimbuster(Path(data))
    y = np.array(labels)
    te = np.isin(debates, TEST_DEBATES)
    dv = np.isin(debates, DEV_DEBATES)
    tr = ~(te | dv)
    if cache and Path(cache).exists():
        emb = np.load(cache)
    else:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(1)
        model = SentenceTransformer(str(_base_model_dir()), device="cpu")
        emb = model.encode(texts, batch_size=64, normalize_embeddings=True)
        if cache:
            np.save(cache, emb.astype(np.float32))
    tfidf = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    tfidf.fit([t for t, keep in zip(texts, tr, strict=True) if keep])
    x_tfidf = tfidf.transform(texts)
    features = {
        "tfidf+lr": x_tfidf,
        "minilm-frozen+lr": emb,
        "tfidf+minilm-frozen+lr": hstack([x_tfidf, csr_matrix(emb)]).tocsr(),
    }
    results = {}
    for name, x in features.items():
        for c in (1.0, 4.0):
            lr = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
            p = lr.fit(x[tr], y[tr]).predict_proba(x)[:, 1]
            threshold = _best_threshold(y[dv], p[dv])
            results[f"{name} C={c:g}"] = m = _metrics(y[te], p[te], threshold)
            log(f"{name} C={c:g}: {m}")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=None, help="embeddings .npy to reuse")
    args = parser.parse_args(argv)
    run(args.data, args.cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
