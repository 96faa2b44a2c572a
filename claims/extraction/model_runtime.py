"""Inference on the shipped ONNX files: onnxruntime, tokenizers and numpy only, no network.

See training.py for how the trunk and the two heads fit together.
"""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

CW_ENCODER = "cw_encoder.onnx"  # optional: the fully fine-tuned check-worthiness encoder


class ModelIntegrityError(RuntimeError):
    """A model file is missing or does not match SHA256SUMS."""


def verify_checksums(directory: Path) -> None:
    sums = directory / "SHA256SUMS"
    if not sums.exists():
        raise ModelIntegrityError(f"{sums} is missing; the model files cannot be verified.")
    for line in sums.read_text().splitlines():
        if not line.strip():
            continue
        expected, name = line.split(maxsplit=1)
        path = directory / name.strip().lstrip("*")
        if not path.exists():
            raise ModelIntegrityError(f"Model file {path} listed in SHA256SUMS is missing.")
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            raise ModelIntegrityError(
                f"Model file {path} does not match SHA256SUMS (expected {expected[:12]}..., "
                f"found {actual[:12]}...): it was changed or corrupted; restore it or retrain "
                "with `manage.py train_claim_model`."
            )


def token_ids(tokenizer, texts: list[str], max_tokens: int) -> list[list[int]]:
    """Token ids per text, cut to max_tokens with the closing [SEP] kept."""
    out = []
    for enc in tokenizer.encode_batch(list(texts)):
        ids = enc.ids
        if len(ids) > max_tokens:
            ids = ids[: max_tokens - 1] + ids[-1:]
        out.append(ids)
    return out


def _session_options():
    import onnxruntime as ort

    options = ort.SessionOptions()
    # One sentence at a time is a tiny tensor: one thread beats several that synchronise on
    # every operator (about 2.5x faster measured here); set CLAIMS_ONNX_THREADS to override.
    threads = int(os.environ.get("CLAIMS_ONNX_THREADS", "1"))
    if threads:
        options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return options


def _parallel() -> int:
    """Sentences scored at once, each on its own thread (CLAIMS_ONNX_PARALLEL, default: cores)."""
    return max(1, int(os.environ.get("CLAIMS_ONNX_PARALLEL", os.cpu_count() or 1)))


def _map_alone(fn, items: list) -> list:
    """fn on each item, several at once on a thread pool (onnxruntime releases the GIL); each
    result still depends on its own item only."""
    workers = min(len(items), _parallel())
    if workers <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, items))


class SingleGraph:
    """One graph (input_ids, attention_mask) -> logit, e.g. the fully fine-tuned encoder
    (cw_encoder.onnx), each sentence run alone and unpadded like OnnxModel."""

    def __init__(self, path: Path | str, tokenizer: Path | str, max_tokens: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.max_tokens = int(max_tokens)
        self.session = ort.InferenceSession(
            str(path), sess_options=_session_options(), providers=["CPUExecutionProvider"]
        )

    def run_ids(self, ids: list[int]) -> float:
        input_ids = np.asarray([ids], dtype=np.int64)
        mask = np.ones_like(input_ids)
        out = self.session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
        return float(np.asarray(out).reshape(-1)[0])

    def logits(self, texts: list[str]) -> np.ndarray:
        ids = token_ids(self.tokenizer, texts, self.max_tokens)
        return np.asarray(_map_alone(self.run_ids, ids), dtype=np.float64)


class OnnxModel:
    """The trunk and both heads, with the tokenizer; loaded once per process by scoring.py.

    Each sentence runs alone and unpadded. The int8 files quantise activations dynamically, with
    one scale per tensor; in a padded batch that scale depends on the other sentences, so a
    sentence's score moved with its batch. Run one at a time, the result is a function of the
    sentence alone (and short news sentences lose little speed: no padding is computed).
    """

    def __init__(self, directory: Path | str, *, verify: bool = True) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        directory = Path(directory)
        if verify:
            verify_checksums(directory)
        self.meta = json.loads((directory / "model.json").read_text())
        self.max_tokens = int(self.meta.get("max_tokens", 128))
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        options = _session_options()

        def session(name: str):
            return ort.InferenceSession(
                str(directory / name), sess_options=options, providers=["CPUExecutionProvider"]
            )

        self.trunk = session("trunk.onnx")
        self.sim_head = session("sim_head.onnx")
        self.cls_head = session("cls_head.onnx")
        self._cls_outputs = [o.name for o in self.cls_head.get_outputs()]
        # The fully fine-tuned check-worthiness encoder, where one ships (training.py --full):
        # a second logit per sentence, from its own graph (embeddings and six tuned layers).
        self.cw_encoder = session(CW_ENCODER) if (directory / CW_ENCODER).exists() else None
        cw_meta = directory / "cw_encoder.json"
        self.cw_max_tokens = (
            int(json.loads(cw_meta.read_text()).get("max_tokens", self.max_tokens))
            if self.cw_encoder is not None and cw_meta.exists()
            else self.max_tokens
        )

    def _run_one(self, ids: list[int], embed: bool):
        input_ids = np.asarray([ids], dtype=np.int64)
        mask = np.ones_like(input_ids)
        hidden = self.trunk.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
        outs = self.cls_head.run(None, {"hidden": hidden, "attention_mask": mask})
        emb = (
            self.sim_head.run(None, {"hidden": hidden, "attention_mask": mask})[0][0]
            if embed
            else None
        )
        cw = None
        if self.cw_encoder is not None:  # cut to the length it was trained on, [SEP] kept
            m = self.cw_max_tokens
            cut = ids if len(ids) <= m else ids[: m - 1] + ids[-1:]
            cw_ids = np.asarray([cut], dtype=np.int64)
            feed = {"input_ids": cw_ids, "attention_mask": np.ones_like(cw_ids)}
            cw = self.cw_encoder.run(None, feed)[0]
        return outs, emb, cw

    def _run_all(self, texts: list[str], embed: bool) -> list:
        """Every sentence alone; several at once on a thread pool (onnxruntime releases the GIL),
        which keeps each result a function of its own sentence while using every core."""
        ids = token_ids(self.tokenizer, texts, self.max_tokens)
        return _map_alone(lambda one: self._run_one(one, embed), ids)

    def encode(self, texts: list[str], *, embed: bool = True) -> dict[str, np.ndarray]:
        """Per sentence: the fine-tuned logit, its pooled vector, the fully fine-tuned encoder's
        logit (`cw_logit`, where cw_encoder.onnx ships) and (optionally) the embedding."""
        n = len(texts)
        logit = np.zeros(n, dtype=np.float64)
        pooled = np.zeros((n, 384), dtype=np.float32)
        cw_logit = np.zeros(n, dtype=np.float64) if self.cw_encoder is not None else None
        emb = np.zeros((n, 384), dtype=np.float32) if embed else None
        for i, (outs, vector, cw) in enumerate(self._run_all(texts, embed)):
            logit[i] = float(np.asarray(outs[0]).reshape(-1)[0])
            if "pooled" in self._cls_outputs:
                pooled[i] = outs[self._cls_outputs.index("pooled")][0]
            if cw_logit is not None:
                cw_logit[i] = float(np.asarray(cw).reshape(-1)[0])
            if emb is not None:
                emb[i] = vector
        out = {"logit": logit, "pooled": pooled}
        if cw_logit is not None:
            out["cw_logit"] = cw_logit
        if emb is not None:
            norms = np.linalg.norm(emb, axis=1, keepdims=True)
            out["embedding"] = (emb / np.maximum(norms, 1e-12)).astype(np.float32)
        return out

    def score(self, texts: list[str]) -> np.ndarray:
        """The encoder's own (debate-trained) probability, before the news head."""
        logit = self.encode(texts, embed=False)["logit"]
        return (1.0 / (1.0 + np.exp(-logit))).astype(np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts, embed=True)["embedding"]
