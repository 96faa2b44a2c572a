import numpy as np
import pytest

from claims.extraction import (
    analyse_text,
    embed_sentences,
    find_similar,
    match_topics,
    vector_to_bytes,
    vectors_from_bytes,
)

TOPICS = {
    "terrorism": ["Daesh", "ISIL", "terrorist"],
    "afghanistan": ["Afghanistan", "Taliban", "Kabul"],
    "economy": ["unemployment", "GDP", "inflation"],
    "air-power": ["air strikes", "airstrikes"],
}


def test_topics_word_boundaries_and_case():
    assert match_topics("The TALIBAN met in kabul.", TOPICS) == ("afghanistan",)
    assert match_topics("Talibanesque is not a word we match.", TOPICS) == ()
    assert match_topics("Daesh fighters massed in Afghanistan.", TOPICS) == (
        "terrorism",
        "afghanistan",
    )
    assert match_topics("Air  strikes continued.", TOPICS) == ("air-power",)
    assert match_topics("anything", None) == ()


def test_topics_in_analyse_text(seed_text):
    result = analyse_text(seed_text, topics=TOPICS)
    s = next(x for x in result if "stood at 3,500" in x.text)
    assert set(s.topics) == {"terrorism", "afghanistan"}
    assert all(x.topics == () for x in analyse_text(seed_text))


def test_embeddings_normalised_and_similar():
    texts = [
        "The number of militants in Afghanistan stood at 3,500.",
        "There are about 3,500 militants in Afghanistan.",
        "The central bank raised interest rates by half a point.",
    ]
    vecs = embed_sentences(texts)
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    hits = find_similar(vecs[:1], vecs[1:], threshold=0.5)
    assert [i for i, _ in hits[0]] == [0]
    assert hits[0][0][1] > 0.7
    assert embed_sentences([]).shape == (0, 384)


def test_find_similar_large_corpus_matches_bruteforce():
    rng = np.random.default_rng(0)
    corpus = rng.standard_normal((100_000, 384)).astype(np.float32)
    corpus /= np.linalg.norm(corpus, axis=1, keepdims=True)
    queries = corpus[[5, 99_999]] + 0.01 * rng.standard_normal((2, 384)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    hits = find_similar(queries, corpus, threshold=0.9)
    assert [h[0][0] for h in hits] == [5, 99_999]
    assert all(
        h[0][1] == pytest.approx(float(q @ corpus[h[0][0]]), abs=1e-5)
        for h, q in zip(hits, queries, strict=True)
    )
    top = find_similar(queries, corpus, threshold=-1.0, top_k=3)
    assert [len(h) for h in top] == [3, 3]
    assert top[0][0][1] >= top[0][1][1] >= top[0][2][1]
    assert find_similar(queries, corpus[:0], 0.5) == [[], []]


def test_vector_bytes_round_trip():
    vecs = embed_sentences(["One claim here.", "Another claim there."])
    blobs = [vector_to_bytes(v) for v in vecs]
    assert all(len(b) == 384 * 4 for b in blobs)
    assert np.array_equal(vectors_from_bytes(blobs), vecs)
