"""The training command end to end on a small sample.

It needs the training packages (requirements-train.txt), so it runs in its own pass:
`make test-training` (CI runs it); `make test` leaves it out by its marker, and says so.
The default run trains the news head over the shipped encoders (CPU, scikit-learn); the full
fine-tune (`--full-encoder`, PyTorch on CPU) is run on a small sample; the three-layer encoder's
own fine-tune (`--encoder`) is the same code as before and is not re-run here.
"""

import io
import json

import numpy as np
import pytest

from claims.extraction.model_runtime import OnnxModel


@pytest.mark.training
def test_train_head_smoke(tmp_path):
    from django.core.management import call_command

    from claims.extraction import head_data, training
    from claims.extraction.news_head import NewsHead

    assert (training.DEFAULT_DATA / "crowdsourced.csv").exists(), (
        f"ClaimBuster's crowdsourced.csv is missing from {training.DEFAULT_DATA}"
    )
    assert (head_data.NEWS_DEV / "sentences.tsv").exists(), (
        f"news-dev's sentences.tsv is missing from {head_data.NEWS_DEV}"
    )
    out = io.StringIO()
    call_command(
        "train_claim_model", "--out", str(tmp_path), "--docs", "6", "--limit", "60", stdout=out
    )
    printed = out.getvalue()
    assert "news-dev 5-fold by document, open threshold chosen inside each fold" in printed
    assert "calibration (held-out, 10 bins): ECE 0." in printed
    assert "held-out debates (60 sentences), open" in printed
    for words in ("precision", "recall", "f1", "average precision"):
        assert f"{words} 0." in printed or f"{words} 1." in printed
    meta = json.loads((tmp_path / "model.json").read_text())
    head = meta["head"]
    assert 0.0 < meta["candidate_threshold"] <= meta["open_threshold"] < 1.0
    assert meta["threshold"] == meta["open_threshold"]
    assert 0.0 <= head["calibration"]["ece"] <= 1.0
    for key in ("precision", "recall", "f1", "average_precision"):
        assert 0.0 <= head["news_dev_cv"]["open"][key] <= 1.0
        assert 0.0 <= head["debates"]["open"][key] <= 1.0
    assert f"Model {meta['version']} written to {tmp_path}" in printed
    assert "head.npz" in (tmp_path / "SHA256SUMS").read_text()
    OnnxModel(tmp_path)  # verifies the SHA256SUMS it wrote
    head_file = NewsHead.load(tmp_path / "head.npz")
    assert list(head_file.features) == head["features"]
    p = head_file.probability(np.array([[3.0] + [0.0] * (len(head_file.features) - 1)]))
    assert p.shape == (1,) and 0.0 <= p[0] <= 1.0


@pytest.mark.training
def test_train_refuses_missing_data(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No sentences.tsv in"):
        call_command("train_claim_model", "--out", str(tmp_path), "--news-data", str(tmp_path))


@pytest.mark.training
def test_full_fine_tune_on_cpu_writes_a_checksummed_encoder_and_a_head_over_it(tmp_path):
    """`--full-encoder` fine-tunes all six layers (CPU) on a sample, exports cw_encoder.onnx with
    its figures, leaves the shared trunk and sim_head as shipped, and fits the head over both."""
    from django.core.management import call_command

    from claims.extraction import training
    from claims.extraction.model_runtime import ModelIntegrityError, verify_checksums
    from claims.extraction.news_head import ALL_FEATURES

    out = io.StringIO()
    call_command(
        "train_claim_model", "--out", str(tmp_path), "--full-encoder", "--limit", "300",
        "--docs", "6", stdout=out,
    )  # fmt: skip
    printed = out.getvalue()
    assert "exported cw_encoder.onnx" in printed
    assert "full fine-tune on held-out debates: precision" in printed
    cw = json.loads((tmp_path / "cw_encoder.json").read_text())
    assert cw["fine_tuned_layers"] == 6 and cw["best_epoch"] == 1
    assert cw["test"]["n"] > 0 and 0.0 <= cw["test"]["f1"] <= 1.0
    assert cw["dev_debates"] == list(training.DEV_DEBATES)
    assert not set(cw["test_debates"]) & set(cw["dev_debates"])
    # The shared files (similarity embeddings of stored claims depend on them) are untouched.
    for name in ("trunk.onnx", "sim_head.onnx", "cls_head.onnx", "tokenizer.json"):
        assert (tmp_path / name).read_bytes() == (training.MODEL_DIR / name).read_bytes()
    sums = (tmp_path / "SHA256SUMS").read_text()
    assert "cw_encoder.onnx" in sums and "cw_encoder.json" in sums
    meta = json.loads((tmp_path / "model.json").read_text())
    assert meta["head"]["features"] == list(ALL_FEATURES)
    assert "+ft6+newshead-" in meta["version"]
    model = OnnxModel(tmp_path)
    texts = ["Unemployment fell to 3.5 percent last year.", "Thank you very much."]
    enc = model.encode(texts, embed=False)
    alone = [model.encode([t], embed=False)["cw_logit"][0] for t in texts]
    assert list(enc["cw_logit"]) == alone  # each sentence runs alone: batch-independent
    # A changed encoder file is refused by name.
    (tmp_path / "cw_encoder.onnx").write_bytes(b"not a model")
    with pytest.raises(ModelIntegrityError, match="cw_encoder.onnx"):
        verify_checksums(tmp_path)


@pytest.mark.training
def test_news_encoder_is_cross_fitted_and_the_head_learns_from_its_unseen_documents(tmp_path):
    """`--news-encoder` fine-tunes all-MiniLM-L6-v2 on news-dev (CPU; a few documents here) once
    per document fold and once on all of them, ships the last as cw_encoder.onnx, and fits the
    head on the folds' out-of-fold logits, never on the shipped encoder's own scores."""
    from django.core.management import call_command

    from claims.extraction import head_data, training
    from claims.extraction.news_encoder import OOF_FILE, cross_fitted_logits
    from claims.extraction.news_head import NEWS_FEATURES

    out = io.StringIO()
    call_command(
        "train_claim_model", "--out", str(tmp_path), "--news-encoder", "--docs", "3",
        "--news-epochs", "1", "--limit", "60", stdout=out,
    )  # fmt: skip
    printed = out.getvalue()
    assert "fold 3/3: fine-tune on" in printed and "exported cw_encoder.onnx" in printed
    assert "epoch 2:" not in printed  # --news-epochs
    assert "news-dev cw_logit: the news encoder's cross-fitted logits" in printed
    cw = json.loads((tmp_path / "cw_encoder.json").read_text())
    assert cw["kind"] == "news" and cw["cross_fitted"]["folds"] == 3
    assert cw["recipe"]["epochs"] == 1
    assert cw["max_tokens"] == 96 and "news-dev" in cw["training_data"]
    for name in ("trunk.onnx", "sim_head.onnx", "cls_head.onnx", "tokenizer.json"):
        assert (tmp_path / name).read_bytes() == (training.MODEL_DIR / name).read_bytes()
    sums = (tmp_path / "SHA256SUMS").read_text()
    assert all(name in sums for name in ("cw_encoder.onnx", "cw_encoder.json", OOF_FILE))
    meta = json.loads((tmp_path / "model.json").read_text())
    assert meta["head"]["features"] == list(NEWS_FEATURES)
    assert "+newsft6+newshead-" in meta["version"]
    # The head learnt from logits of documents each fold's encoder had not seen: they are not
    # the shipped encoder's scores of its own training sentences.
    news = head_data.load_news_dev()
    docs = sorted(set(news.groups))[:3]
    news = head_data.subset(news, [g in docs for g in news.groups])
    crossed = cross_fitted_logits(tmp_path, news.texts)
    own = OnnxModel(tmp_path).encode(news.texts, embed=False)["cw_logit"]
    assert crossed.shape == own.shape and not np.allclose(crossed, own)
    model = OnnxModel(tmp_path)
    texts = ["Unemployment fell to 3.5 percent last year.", "Thank you very much."]
    enc = model.encode(texts, embed=False)
    alone = [model.encode([t], embed=False)["cw_logit"][0] for t in texts]
    assert list(enc["cw_logit"]) == alone  # each sentence runs alone: batch-independent
