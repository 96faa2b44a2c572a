"""Similar-claim matching on L2-normalised float32 vectors (cosine = dot product)."""

from __future__ import annotations

import numpy as np

DIMENSIONS = 384
# Bound the (queries x corpus) similarity block held in memory at once, in matrix cells.
_BLOCK_CELLS = 8_000_000


def vector_to_bytes(vector: np.ndarray) -> bytes:
    """A vector as the float32 bytes the database stores."""
    return np.asarray(vector, dtype=np.float32).reshape(-1).tobytes()


def vectors_from_bytes(blobs: list[bytes], dimensions: int = DIMENSIONS) -> np.ndarray:
    """Stored float32 bytes back to an (n, dimensions) matrix."""
    if not blobs:
        return np.zeros((0, dimensions), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), dimensions)


def find_similar(
    query_vecs: np.ndarray,
    corpus_vecs: np.ndarray,
    threshold: float,
    *,
    top_k: int | None = None,
) -> list[list[tuple[int, float]]]:
    """For each query, the corpus rows with cosine >= threshold, best first, as (index, cosine).

    Both inputs must be L2-normalised (embed_sentences returns them so). top_k caps each list.
    """
    q = np.asarray(query_vecs, dtype=np.float32)
    c = np.asarray(corpus_vecs, dtype=np.float32)
    if q.ndim == 1:
        q = q[None, :]
    results: list[list[tuple[int, float]]] = []
    if len(c) == 0:
        return [[] for _ in range(len(q))]
    step = max(1, _BLOCK_CELLS // len(c))
    for k in range(0, len(q), step):
        sims = q[k : k + step] @ c.T
        for row in sims:
            hits = np.flatnonzero(row >= threshold)
            if top_k is not None and len(hits) > top_k:
                hits = hits[np.argpartition(-row[hits], top_k - 1)[:top_k]]
            hits = hits[np.argsort(-row[hits], kind="stable")]
            results.append([(int(i), float(row[i])) for i in hits])
    return results
