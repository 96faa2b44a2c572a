"""The news encoder's cross-fitted logits: the head learns only from scores of unseen documents."""

import json

import numpy as np
import pytest

from claims.extraction.news_encoder import OOF_FILE, cross_fitted_logits, texts_key
from claims.extraction.training import FULL_META

TEXTS = ["Unemployment fell to 3.5 percent.", "Thank you very much.", "It rained."]


def _ship(folder, kind, texts=TEXTS, logits=(1.5, -2.0, 0.25)):
    (folder / FULL_META).write_text(json.dumps({"kind": kind}))
    np.savez(folder / OOF_FILE, key=np.array(texts_key(texts)), logit=np.array(logits))


def test_the_cross_fitted_logits_of_exactly_these_texts(tmp_path):
    _ship(tmp_path, "news")
    assert cross_fitted_logits(tmp_path, TEXTS).tolist() == [1.5, -2.0, 0.25]


def test_no_news_encoder_no_cross_fitted_logits(tmp_path):
    assert cross_fitted_logits(tmp_path, TEXTS) is None  # nothing shipped
    _ship(tmp_path, "debates")  # the debate-trained full fine-tune never saw news-dev
    assert cross_fitted_logits(tmp_path, TEXTS) is None


def test_logits_cross_fitted_on_other_texts_are_refused(tmp_path):
    _ship(tmp_path, "news")
    with pytest.raises(ValueError, match="cross-fitted on other news-dev texts"):
        cross_fitted_logits(tmp_path, TEXTS[:2])
    with pytest.raises(ValueError, match="retrain the news encoder"):
        cross_fitted_logits(tmp_path, [t.upper() for t in TEXTS])


def test_the_key_follows_every_text_and_their_order():
    assert texts_key(TEXTS) == texts_key(list(TEXTS))
    assert texts_key(TEXTS) != texts_key(TEXTS[::-1])
    assert texts_key(["ab", "c"]) != texts_key(["a", "bc"])
