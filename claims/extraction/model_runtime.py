"""Inference on the shipped ONNX files: onnxruntime, tokenizers and numpy only, no network.

See training.py for how the trunk and the two heads fit together.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np


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


class OnnxModel:
    """The trunk and both heads, with the tokenizer; loaded once per process by scoring.py."""

    batch_size = 64

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
        options = ort.SessionOptions()
        threads = int(os.environ.get("CLAIMS_ONNX_THREADS", "0"))
        if threads:
            options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1

        def session(name: str):
            return ort.InferenceSession(
                str(directory / name), sess_options=options, providers=["CPUExecutionProvider"]
            )

        self.trunk = session("trunk.onnx")
        self.sim_head = session("sim_head.onnx")
        self.cls_head = session("cls_head.onnx")

    def _batches(self, texts: list[str]):
        ids = token_ids(self.tokenizer, texts, self.max_tokens)
        order = np.argsort([len(x) for x in ids], kind="stable")
        for k in range(0, len(order), self.batch_size):
            chunk = order[k : k + self.batch_size]
            width = max(len(ids[i]) for i in chunk)
            input_ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                input_ids[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1
            hidden = self.trunk.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
            yield chunk, hidden, mask

    def score(self, texts: list[str]) -> np.ndarray:
        out = np.zeros(len(texts), dtype=np.float32)
        for chunk, hidden, mask in self._batches(texts):
            logit = self.cls_head.run(None, {"hidden": hidden, "attention_mask": mask})[0]
            out[chunk] = 1.0 / (1.0 + np.exp(-logit.astype(np.float64)))
        return out

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for chunk, hidden, mask in self._batches(texts):
            vec = self.sim_head.run(None, {"hidden": hidden, "attention_mask": mask})[0]
            out[chunk] = vec
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.maximum(norms, 1e-12)).astype(np.float32)
