"""The news encoder: all-MiniLM-L6-v2 fine-tuned on news-dev's labels, cross-fitted by document.

The shipped three-layer encoder learnt check-worthiness from debate transcripts. This second
encoder learns it from news prose: every layer of all-MiniLM-L6-v2 (embeddings included), mean
pooling and a logistic unit, fine-tuned on news-dev's CFS-vs-rest labels. It ships as
cw_encoder.onnx (one int8 graph: input_ids, attention_mask -> logit; the runtime runs each
sentence alone, as it does the other encoder) and the news head combines its logit with the
debate encoder's (news_head.py, feature `cw_logit`).

The head must never be fitted on logits the encoder produced for sentences it was trained on
(they would look far surer than they are on a new article). So the logits the head learns from
are **cross-fitted**: news-dev is split by document into the same 5 folds as the head's
cross-validation (GroupKFold), an encoder is fine-tuned on 4 folds' documents and exported, and
its int8 graph scores the fifth; the shipped encoder is then fine-tuned on all 48 documents with
the same recipe. The cross-fitted logits are written next to the file (cw_news_oof.npz, keyed by
the news-dev texts) and head_training.py uses them in place of the shipped graph's own scores for
news-dev rows.

Tried on 2026-12-02 and **not shipped** (MODEL.md, "Encoders trained on news"): news-dev F1 0.777
against 0.765, but held-out debates fell below their 0.70 floor and scoring would run twelve
layers a sentence instead of six. The shipped model has no cw_encoder.onnx; this module stays so
that the experiment can be rerun, e.g. on more news data.

Recipe (chosen on news-dev's pooled out-of-fold figures, MODEL.md): 3 epochs, batch 16, AdamW
lr 4e-5 with 10% warm-up and linear decay, weight decay 0.01, 96 tokens, seeded; ~4 minutes per
fine-tune on two CPU cores, ~25 minutes for the five folds and the final fit.

Run: python -m claims.extraction.news_encoder [--out DIR] [--threads 2]
(writes cw_encoder.onnx, cw_encoder.json and cw_news_oof.npz in DIR; then
`manage.py train_claim_model --out DIR` fits the head over both encoders)

Needs requirements-train.txt (PyTorch, transformers, scikit-learn); the runtime needs none of it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from . import head_data as hd
from .training import FULL_ENCODER, FULL_META, MODEL_DIR, NEWS_OOF, _base_model_dir

OOF_FILE = NEWS_OOF
EPOCHS = 3
BATCH = 16
LR = 4e-5
MAX_TOKENS = 96
SEED = 13
FOLDS = 5


def texts_key(texts: list[str]) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8") + b"\0")
    return h.hexdigest()


def _model_class():
    import torch
    from transformers import AutoModel

    class NewsEncoder(torch.nn.Module):
        """BertModel -> mean pooling over the sentence's tokens -> one logit."""

        def __init__(self, base: Path):
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(base), attn_implementation="eager")
            self.classifier = torch.nn.Linear(self.bert.config.hidden_size, 1)

        def forward(self, input_ids, attention_mask):
            hidden = self.bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return self.classifier(pooled).squeeze(-1)

    return NewsEncoder


def fine_tune(ids: list[list[int]], labels: np.ndarray, *, seed: int = SEED,
              epochs: int = EPOCHS, batch: int = BATCH, lr: float = LR, log=print):  # fmt: skip
    """The recipe above on these token ids; returns the torch module in eval mode."""
    import torch

    from .training import _batch

    torch.manual_seed(seed)
    model = _model_class()(_base_model_dir())
    model.train()
    optim = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * ((len(ids) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps)
    )
    rng = np.random.default_rng(seed)
    started = time.time()
    for epoch in range(epochs):
        order = rng.permutation(len(ids))
        total = 0.0
        for k in range(0, len(order), batch):
            rows = [int(i) for i in order[k : k + batch]]
            input_ids, mask = _batch(ids, rows)
            target = torch.tensor(labels[rows], dtype=torch.float32)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                model(input_ids, mask), target
            )
            loss.backward()
            optim.step()
            sched.step()
            optim.zero_grad()
            total += loss.item() * len(rows)
        log(f"  epoch {epoch + 1}: loss {total / len(ids):.4f} ({time.time() - started:.0f}s)")
    model.eval()
    return model


def export(model, path: Path, log=print) -> None:
    """One int8 graph (input_ids, attention_mask) -> logit, as the runtime's cw_encoder."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32 = path.with_suffix(".fp32.onnx")
    ids = torch.ones((2, 12), dtype=torch.long)
    mask = torch.ones((2, 12), dtype=torch.long)
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}}
    torch.onnx.export(
        model, (ids, mask), str(fp32), input_names=["input_ids", "attention_mask"],
        output_names=["logit"], dynamic_axes=axes, opset_version=17, dynamo=False,
    )  # fmt: skip
    quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8)
    fp32.unlink()
    log(f"exported {path.name} ({path.stat().st_size / 1e6:.1f} MB)")


def graph_logits(path: Path, texts: list[str], max_tokens: int = MAX_TOKENS) -> np.ndarray:
    """The int8 graph's logits, each sentence alone, through the runtime's own code."""
    from .model_runtime import SingleGraph

    return SingleGraph(path, _base_model_dir() / "tokenizer.json", max_tokens).logits(texts)


def train(out: Path = MODEL_DIR, *, news_dir: Path = hd.NEWS_DEV, threads: int = 2,
          docs_limit: int | None = None, epochs: int = EPOCHS, log=print) -> dict:  # fmt: skip
    """Cross-fit on news-dev's document folds, then fit on every document; write the files."""
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    import torch
    from tokenizers import Tokenizer

    from .head_training import _folds, metrics

    torch.set_num_threads(threads)
    started = time.time()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    news = hd.load_news_dev(news_dir)
    if docs_limit:  # a few documents, for smoke tests
        keep = sorted(set(news.groups))[:docs_limit]
        news = hd.subset(news, [g in keep for g in news.groups])
    tokenizer = Tokenizer.from_file(str(_base_model_dir() / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    from .model_runtime import token_ids

    ids = token_ids(tokenizer, news.texts, MAX_TOKENS)
    y = news.labels
    groups = np.array(news.groups)
    k = min(FOLDS, len(set(news.groups)))
    oof = np.zeros(len(y))
    with tempfile.TemporaryDirectory() as tmp:
        for fold, (tr, te) in enumerate(_folds(groups, k)):
            log(f"fold {fold + 1}/{k}: fine-tune on {len(tr)} sentences, score {len(te)}")
            model = fine_tune([ids[i] for i in tr], y[tr], seed=SEED + fold, epochs=epochs,
                              log=log)  # fmt: skip
            path = Path(tmp) / f"fold{fold}.onnx"
            export(model, path, log=lambda *_: None)
            oof[te] = graph_logits(path, [news.texts[i] for i in te])
    cross = metrics(y, 1 / (1 + np.exp(-oof)), 0.5)
    log(f"cross-fitted logits (sigmoid at 0.5): {cross}")
    log(f"final fit on all {len(y)} sentences of {len(set(news.groups))} documents")
    model = fine_tune(ids, y, seed=SEED, epochs=epochs, log=log)
    path = out / FULL_ENCODER
    export(model, path, log)
    np.savez(out / OOF_FILE, key=np.array(texts_key(news.texts)), logit=oof)
    meta = {
        "file": FULL_ENCODER,
        "kind": "news",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "fine_tuned_layers": 6,
        "max_tokens": MAX_TOKENS,
        "base_model": "sentence-transformers/all-MiniLM-L6-v2",
        "training_data": f"news-dev sentences.tsv, CFS vs rest ({len(y)} sentences, "
        f"{len(set(news.groups))} documents)",
        "recipe": {
            "epochs": epochs,
            "batch": BATCH,
            "lr": LR,
            "seed": SEED,
            "warmup": 0.1,
            "weight_decay": 0.01,
        },
        "cross_fitted": {"folds": k, "file": OOF_FILE, "sigmoid_0.5": cross},
        "seconds": round(time.time() - started),
    }
    (out / FULL_META).write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def cross_fitted_logits(model_dir: Path, texts: list[str]) -> np.ndarray | None:
    """The cross-fitted logits for exactly these texts (news-dev), if the news encoder ships."""
    meta_path, oof_path = model_dir / FULL_META, model_dir / OOF_FILE
    if not (meta_path.exists() and oof_path.exists()):
        return None
    if json.loads(meta_path.read_text()).get("kind") != "news":
        return None
    with np.load(oof_path) as z:
        if str(z["key"]) != texts_key(texts):
            raise ValueError(
                f"{OOF_FILE} was cross-fitted on other news-dev texts: retrain the news encoder "
                "(python -m claims.extraction.news_encoder) on the data the head is fitted on"
            )
        return np.asarray(z["logit"], dtype=np.float64)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--news-data", type=Path, default=hd.NEWS_DEV)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--docs-limit", type=int, default=None, help="smoke test: N documents")
    args = parser.parse_args(argv)
    meta = train(args.out, news_dir=args.news_data, threads=args.threads,
                 docs_limit=args.docs_limit, epochs=args.epochs)  # fmt: skip
    print(json.dumps(meta["cross_fitted"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
