"""The training command end to end on a small sample.

It needs the training packages (requirements-train.txt), so it runs in its own pass:
`make test-training` (CI runs it); `make test` leaves it out by its marker, and says so.
"""

import json

import pytest

from claims.extraction.model_runtime import OnnxModel


@pytest.mark.training
def test_train_smoke(tmp_path):
    import io

    from django.core.management import call_command

    from claims.extraction import training

    assert (training.DEFAULT_DATA / "crowdsourced.csv").exists(), (
        f"ClaimBuster's crowdsourced.csv is missing from {training.DEFAULT_DATA}"
    )
    out = io.StringIO()
    call_command(
        "train_claim_model", "--out", str(tmp_path), "--epochs", "1", "--limit", "400", stdout=out
    )
    printed = out.getvalue()
    for words in ("precision", "recall", "f1", "average precision"):
        assert f"{words} 0." in printed or f"{words} 1." in printed
    meta = json.loads((tmp_path / "model.json").read_text())
    for key in ("precision", "recall", "f1", "average_precision"):
        assert 0.0 <= meta["test"][key] <= 1.0
    assert f"Model {meta['version']} written to {tmp_path}" in printed
    model = OnnxModel(tmp_path)  # verifies the SHA256SUMS it wrote
    assert model.score(["Unemployment fell to 4 percent."]).shape == (1,)
    assert set(meta["test_debates"]).isdisjoint(meta["dev_debates"])
