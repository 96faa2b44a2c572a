import shutil

import pytest

from claims.extraction import (
    DEFAULT_THRESHOLD,
    MODEL_VERSION,
    ModelIntegrityError,
    analyse_text,
    score_sentences,
)
from claims.extraction.model_runtime import OnnxModel, verify_checksums
from claims.extraction.scoring import MODEL_DIR

SENTENCES = [
    "Unemployment fell to 4.1 percent last year, the lowest level since 2000.",
    "Thank you very much, it is good to be here tonight.",
    "The number of militants in Afghanistan stood at 3,500.",
    "I think that's a great question.",
]


def test_scores_in_range_and_deterministic():
    first = score_sentences(SENTENCES)
    second = score_sentences(list(reversed(SENTENCES)))[::-1]
    assert len(first) == len(SENTENCES)
    assert all(0.0 <= s <= 1.0 for s in first)
    assert first == pytest.approx(second, abs=1e-6)
    assert score_sentences([]) == []


def test_factual_claims_outscore_pleasantries():
    s = score_sentences(SENTENCES)
    assert min(s[0], s[2]) > max(s[1], s[3])


def test_version_and_threshold():
    assert MODEL_VERSION and MODEL_VERSION != "unknown"
    assert 0.0 < DEFAULT_THRESHOLD < 1.0


def test_threshold_argument(seed_text):
    everything = analyse_text(seed_text, threshold=0.0)
    nothing = analyse_text(seed_text, threshold=1.01)
    assert all(s.check_worthy == (not s.is_boilerplate) for s in everything)
    assert not any(s.check_worthy for s in nothing)


def test_shipped_files_verify():
    verify_checksums(MODEL_DIR)


def test_tampered_file_raises_clear_error(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    data = bytearray((copy / "cls_head.onnx").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "cls_head.onnx").write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match=r"cls_head\.onnx does not match SHA256SUMS"):
        OnnxModel(copy)


def test_missing_checksums_raise(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    (copy / "SHA256SUMS").unlink()
    with pytest.raises(ModelIntegrityError, match="SHA256SUMS is missing"):
        OnnxModel(copy)


def test_demo_article_scores(seed_result):
    claims = [s for s in seed_result if s.check_worthy]
    assert claims, "the demo article should yield check-worthy claims"
    for s in seed_result:
        assert 0.0 <= s.score <= 1.0
