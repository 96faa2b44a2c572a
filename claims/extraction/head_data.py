"""Training data for the news head: news-dev and ClaimBuster rows, and their cached encodings.

Encoding ~24,000 sentences with the shipped ONNX files takes minutes on two cores, so the
encodings are cached under var/claim-features/ keyed by the model files' checksums and the texts.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
NEWS_DEV = ROOT.parent / "shared" / "data" / "news-dev"
CLAIMBUSTER = ROOT.parent / "shared" / "data" / "claimbuster"
CACHE_DIR = ROOT / "var" / "claim-features"


@dataclass
class Corpus:
    texts: list[str]
    labels: np.ndarray  # 1 = check-worthy factual sentence
    groups: list[str]  # document (news) or debate (ClaimBuster)
    prev: list[int]  # index of the previous sentence of the same document, or -1
    next: list[int]
    claimants: list[str]
    positions: np.ndarray  # 0-based position in the document


def _link(groups: list[str], order_key: list[int]) -> tuple[list[int], list[int]]:
    prev = [-1] * len(groups)
    nxt = [-1] * len(groups)
    by_group: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by_group.setdefault(g, []).append(i)
    for rows in by_group.values():
        rows.sort(key=lambda i: order_key[i])
        for a, b in zip(rows, rows[1:], strict=False):
            if order_key[b] == order_key[a] + 1:
                nxt[a], prev[b] = b, a
    return prev, nxt


def load_news_dev(path: Path = NEWS_DEV) -> Corpus:
    with open(path / "sentences.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    groups = [r["doc"] for r in rows]
    idx = [int(r["idx"]) for r in rows]
    prev, nxt = _link(groups, idx)
    return Corpus(
        texts=[r["text"] for r in rows],
        labels=np.array([int(r["label"] == "CFS") for r in rows]),
        groups=groups,
        prev=prev,
        next=nxt,
        claimants=[r["claimant"] for r in rows],
        positions=np.array(idx),
    )


def load_claimbuster(path: Path = CLAIMBUSTER, limit: int | None = None) -> Corpus:
    with open(path / "crowdsourced.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if limit:
        rows = rows[:limit]
    groups = [r["File_id"] for r in rows]
    sid = [int(r["Sentence_id"]) for r in rows]
    prev, nxt = _link(groups, sid)
    first: dict[str, int] = {}
    for g, s in zip(groups, sid, strict=True):
        first[g] = min(first.get(g, s), s)
    return Corpus(
        texts=[r["Text"] for r in rows],
        labels=np.array([int(int(r["Verdict"]) == 1) for r in rows]),
        groups=groups,
        prev=prev,
        next=nxt,
        claimants=[r["Speaker"] for r in rows],
        positions=np.array([s - first[g] for g, s in zip(groups, sid, strict=True)]),
    )


def encode_cached(model, texts: list[str], model_dir: Path, cache_dir: Path = CACHE_DIR) -> dict:
    """model.encode(texts), cached on disk by model checksums + texts."""
    h = hashlib.sha256()
    for name in ("trunk.onnx", "cls_head.onnx", "sim_head.onnx", "tokenizer.json"):
        h.update(hashlib.sha256((model_dir / name).read_bytes()).digest())
    if (model_dir / "cw_encoder.onnx").exists():
        h.update(hashlib.sha256((model_dir / "cw_encoder.onnx").read_bytes()).digest())
    for t in texts:
        h.update(t.encode("utf-8") + b"\0")
    path = cache_dir / f"{h.hexdigest()[:24]}.npz"
    if path.exists():
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    out = model.encode(texts)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **out)
    tmp.replace(path)
    return out


def subset(corpus: Corpus, keep: list[bool], limit: int | None = None) -> Corpus:
    """The rows where keep is true (at most limit), with neighbours re-linked."""
    rows = [i for i, k in enumerate(keep) if k][: limit or None]
    new_index = {old: new for new, old in enumerate(rows)}
    return Corpus(
        texts=[corpus.texts[i] for i in rows],
        labels=corpus.labels[rows],
        groups=[corpus.groups[i] for i in rows],
        prev=[new_index.get(corpus.prev[i], -1) for i in rows],
        next=[new_index.get(corpus.next[i], -1) for i in rows],
        claimants=[corpus.claimants[i] for i in rows],
        positions=corpus.positions[rows],
    )


def encode_by_group(model, corpus: Corpus, model_dir: Path, cache_dir: Path = CACHE_DIR) -> dict:
    """encode_cached one document (or debate) at a time, so an interrupted run keeps its work."""
    parts: dict[str, list[int]] = {}
    for i, g in enumerate(corpus.groups):
        parts.setdefault(g, []).append(i)
    out: dict[str, np.ndarray] = {}
    for rows in parts.values():
        enc = encode_cached(model, [corpus.texts[i] for i in rows], model_dir, cache_dir)
        for key, value in enc.items():
            if key not in out:
                out[key] = np.zeros((len(corpus.texts),) + value.shape[1:], dtype=value.dtype)
            out[key][rows] = value
    return out
