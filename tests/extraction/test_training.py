"""The training command end to end on a small sample.

It needs the training packages (requirements-train.txt), so it runs in its own pass:
`make test-training` (CI runs it); `make test` leaves it out by its marker, and says so.
The default run trains the news head over the shipped encoder (CPU, scikit-learn); the encoder's
own fine-tune (`--encoder`, PyTorch) is the same code as before and is not re-run here.
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
    p = NewsHead.load(tmp_path / "head.npz").probability(np.array([[3.0, 0.0, 0.0, 0.0, 0.0]]))
    assert p.shape == (1,) and 0.0 <= p[0] <= 1.0


@pytest.mark.training
def test_train_refuses_missing_data(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No sentences.tsv in"):
        call_command("train_claim_model", "--out", str(tmp_path), "--news-data", str(tmp_path))
