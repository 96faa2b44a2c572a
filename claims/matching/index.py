"""The similar-claims index files: one usearch HNSW index per kind of stored vector, in a file
under CLAIM_INDEX_DIR that every process memory-maps, plus each process's rows filed since.

Building is the expensive part: every vector added searches the graph for its neighbours, so
the cost grows with CLAIM_INDEX_EXPANSION_ADD and CLAIM_INDEX_CONNECTIVITY and is shared out
over every core. 40 builds three times faster than the default 128 with the same recall at
20,000 rows, but at 1,000,000 it left a graph that missed 5 of 30 near-copies
(benchmarks/matching.py).

At 1,000,000 rows the graph's connectivity decides recall. With 16 links a node, the rows of
the exact top 10 it missed were not near-ties but rows its walk never reached (none among 40
candidates; a quarter still missing at expansion 4096; 1.2% of stored rows did not find themselves):
recall@10 0.955 for near-copies and 0.938 for new claims over 300 queries each, and one build
differs from the next (the benchmark's 30 queries read 0.937 to 0.973). With 32 links: 0.996
and 0.980 at CLAIM_INDEX_EXPANSION_SEARCH 96, 0.997 and 0.986 at 128; searching 30 queries at
96 takes 40 ms against 33 ms for 16 links at 128; the build takes twice the CPU and the file is
14% larger (1,044 against 917 MB). A file keeps the connectivity it was built with: folds add
to it as it is; `manage.py claim_index` rebuilds it with the setting.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from pathlib import Path

import numpy as np
from django.conf import settings

from .. import extraction
from ..extraction.similarity import DIMENSIONS

logger = logging.getLogger(__name__)
_TOP_K = 10
_LOAD_BATCH = 20_000
# Rows below a process's watermark still waiting for their vector, tracked so that they are
# loaded once embedded. Beyond this many (a database of rows never embedded), the oldest are
# left to `manage.py claim_index`.
_PENDING_CAP = 10_000


def _usearch():
    """usearch's Index class, imported on first use and after onnxruntime: loaded the other way
    round in one process, the two native libraries crash onnxruntime's first session."""
    import onnxruntime  # noqa: F401
    from usearch.index import Index

    return Index


def _setting(name: str, default):
    return getattr(settings, name, default)


def index_dir() -> Path:
    return Path(_setting("CLAIM_INDEX_DIR", Path(settings.VAR_DIR) / "claim-index"))


def compact_at() -> int:
    """Rows filed since the index file was written before they are folded into it."""
    return int(_setting("CLAIM_INDEX_COMPACT_AT", 20_000))


def new_index():
    """An empty index with the settings the recall figures were measured with."""
    return _usearch()(
        ndim=DIMENSIONS,
        metric="cos",
        dtype="f16",
        connectivity=int(_setting("CLAIM_INDEX_CONNECTIVITY", 32)),
        expansion_add=int(_setting("CLAIM_INDEX_EXPANSION_ADD", 128)),
        expansion_search=int(_setting("CLAIM_INDEX_EXPANSION_SEARCH", 96)),
    )


def restore_index(path: Path, *, view: bool):
    """An index file opened with the settings (a file keeps its graph, not its expansions:
    usearch restores it with its own defaults, 64 for search)."""
    index = _usearch().restore(str(path), view=view)
    index.expansion_add = int(_setting("CLAIM_INDEX_EXPANSION_ADD", 128))
    index.expansion_search = int(_setting("CLAIM_INDEX_EXPANSION_SEARCH", 96))
    wanted = int(_setting("CLAIM_INDEX_CONNECTIVITY", 32))
    if index.connectivity != wanted:
        # Searched with an expansion chosen for the setting's graph, a sparser one misses more.
        logger.warning(
            "%s was built with connectivity %s, not %s; run manage.py claim_index to rebuild it.",
            path.name,
            index.connectivity,
            wanted,
        )
    return index


def add_to_index(index, ids: np.ndarray, vectors: np.ndarray) -> None:
    """Add rows with every core (an add is a graph search; one thread leaves a core idle)."""
    index.add(
        np.asarray(ids, dtype=np.uint64),
        np.asarray(vectors, dtype=np.float32),
        threads=os.cpu_count() or 1,
    )


def search_index(index, queries: np.ndarray, count: int) -> list[list[tuple[int, float]]]:
    """For each query, the `count` rows of the index file with the highest cosine, best first,
    as (id, cosine).

    The graph is asked for CLAIM_INDEX_CANDIDATES times as many rows, which are scored again
    exactly (float32, over the stored float16 vectors, as extraction.find_similar scores the
    delta) and cut to `count`. usearch compares in float16, so rows whose cosines differ in the
    fourth or fifth decimal can swap at the cut, and the similarity a link records would differ
    from the delta's for the same pair. At 1,000,000 rows this changed little (recall@10 for
    new claims 0.980 to 0.981 over 300 queries: the graph's misses are rows it never reached,
    see above), but it costs little too: the walk is the same for 10 rows or 30 (it keeps
    CLAIM_INDEX_EXPANSION_SEARCH candidates anyway), and 30 stored vectors a query are read
    from the mapped file and scored in about a millisecond.
    """
    queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
    if not len(index) or not len(queries):
        return [[] for _ in range(len(queries))]
    asked = min(len(index), count * max(1, int(_setting("CLAIM_INDEX_CANDIDATES", 3))))
    found = index.search(queries, asked, threads=1)
    if len(queries) == 1:  # usearch answers one query with its valid rows only
        rows = [np.asarray(found.keys).reshape(-1)]
    else:
        rows = [found.keys[row, : found.counts[row]] for row in range(len(queries))]
    unique = np.unique(np.concatenate(rows)) if rows else np.zeros(0, dtype=np.uint64)
    if not len(unique):
        return [[] for _ in range(len(queries))]
    stored = np.stack(index.get(unique)).astype(np.float32)
    norms = np.linalg.norm(queries, axis=1, keepdims=True)
    queries = queries / np.where(norms > 0, norms, 1.0)
    results = []
    for row, row_keys in enumerate(rows):
        # einsum, not a BLAS product: 30 rows are too few to share out, and OpenBLAS's threads
        # would spin on the other core for milliseconds after each call.
        row_scores = np.einsum("ij,j->i", stored[np.searchsorted(unique, row_keys)], queries[row])
        best = np.argsort(-row_scores, kind="stable")[:count]
        results.append([(int(row_keys[i]), float(row_scores[i])) for i in best])
    return results


def write_index(
    index, index_path: Path, *, last_pk: int, last_created, pending: frozenset[int] = frozenset()
) -> None:
    """Save to temporary files and rename them into place (readers never see half a file)."""
    index_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_index = index_path.with_name(index_path.name + ".tmp")
    index.save(str(tmp_index))
    os.replace(tmp_index, index_path)
    write_sidecar(
        index_path, last_pk=last_pk, last_created=last_created, count=len(index), pending=pending
    )


def write_sidecar(
    index_path: Path, *, last_pk: int, last_created, count: int, pending=frozenset()
) -> None:
    """The row an index file ends with, by which a process tells it describes its database,
    and the rows up to there it does not hold because they had no vector yet."""
    meta_path = index_path.with_suffix(".json")
    meta = {
        "last_pk": int(last_pk),
        "last_created": last_created.isoformat() if last_created is not None else None,
        "count": count,
        "pending": sorted(int(pk) for pk in pending),
    }
    tmp_meta = meta_path.with_name(meta_path.name + ".tmp")
    tmp_meta.write_text(json.dumps(meta))
    os.replace(tmp_meta, meta_path)


class _Corpus:
    """Stored vectors of one model (claims or past fact-checks), searched as one.

    Most vectors live in an HNSW index (cosine, float16) in a file under CLAIM_INDEX_DIR that
    every process memory-maps read-only, so the operating system keeps one copy in its page
    cache for all workers. A process's own memory holds only the rows filed since the file was
    written (the "delta": loaded incrementally by primary key, scanned exactly). When the delta
    reaches CLAIM_INDEX_COMPACT_AT rows, the process that notices folds it into a new file under
    an exclusive lock and renames it into place; the others map the new file on their next
    search.

    Rows are loaded in primary-key order, but a claim is embedded when its article's job gets
    to it (or minutes later, by match_unmatched), so a row below the watermark may still lack
    its vector: such rows are "pending", asked for again on every refresh until their vector
    is there, and listed in the file's sidecar so that a process mapping the file asks too.

    The file is trusted only while it describes this database: its sidecar records the last
    row it holds (id and time filed); if that row is gone or differs (a new database, a
    restored dump), the file is ignored and rebuilt from the rows.
    """

    def __init__(self, model: type, name: str, created_field: str) -> None:
        self.model = model
        self.name = name
        self.created_field = created_field
        self.lock = threading.Lock()
        self._reset()
        self.checked_key: tuple | None = None

    def _reset(self) -> None:
        self.index = None  # the mapped usearch index
        self.index_key: tuple | None = None  # (inode, mtime, last_pk) of the mapped file
        self.base_last_pk = 0  # rows up to here are in the file
        self.ids = np.zeros(0, dtype=np.int64)
        self.vectors = np.zeros((0, DIMENSIONS), dtype=np.float32)
        self.last_pk = 0
        self.pending: set[int] = set()  # ids up to last_pk without a vector yet

    @property
    def index_path(self) -> Path:
        return index_dir() / f"{self.name}.usearch"

    def _created_of(self, pk: int):
        return self.model.objects.filter(pk=pk).values_list(self.created_field, flat=True).first()

    def _open(self) -> None:
        """Map the index file if it changed since we last looked (or drop a stale one)."""
        path = self.index_path
        try:
            stat = path.stat()
            meta = json.loads(path.with_suffix(".json").read_text())
        except (FileNotFoundError, ValueError):
            if self.index is not None:
                self._reset()
            return
        key = (stat.st_ino, stat.st_mtime_ns, meta.get("last_pk"))
        if key == self.index_key:
            return
        last = int(meta.get("last_pk") or 0)
        created = self._created_of(last) if last else None
        if last and (created is None or created.isoformat() != meta.get("last_created")):
            if key != self.checked_key:
                logger.warning("The %s index is not this database's; ignoring it.", self.name)
                self.checked_key = key
            if self.index is not None:
                self._reset()
            return
        self._reset()
        self.index = restore_index(path, view=True)
        self.index_key = key
        self.base_last_pk = self.last_pk = last
        self.pending = {int(pk) for pk in meta.get("pending", [])}

    def refresh(self) -> None:
        with self.lock:
            self._open()
            while True:
                # The pending rows (all of them: fewer than a batch, and below the watermark,
                # so first in this order) and the rows filed since. A pending row that is
                # gone was deleted; one still without a vector stays pending.
                found = self.model.objects.filter(pk__gt=self.last_pk)
                if self.pending:
                    found = found | self.model.objects.filter(pk__in=self.pending)
                rows = list(found.order_by("pk").values_list("pk", "embedding")[:_LOAD_BATCH])
                if not rows:
                    self.pending = set()
                    break
                waiting = {pk for pk, blob in rows if blob is None}
                self.pending = {pk for pk in self.pending if pk in waiting}
                self.pending |= {pk for pk in waiting if pk > self.last_pk}
                if len(self.pending) > _PENDING_CAP:
                    logger.warning(
                        "%s rows of %s have no vector; run manage.py claim_index once they do.",
                        len(self.pending),
                        self.name,
                    )
                    self.pending = set(sorted(self.pending)[-_PENDING_CAP:])
                self.last_pk = max(self.last_pk, rows[-1][0])
                complete = len(rows) < _LOAD_BATCH
                embedded = [(pk, blob) for pk, blob in rows if blob is not None]
                if embedded:
                    ids = np.array([pk for pk, _ in embedded], dtype=np.int64)
                    vectors = extraction.vectors_from_bytes([bytes(b) for _, b in embedded])
                    self.ids = np.concatenate([self.ids, ids])
                    self.vectors = np.vstack([self.vectors, vectors])
                if len(self.ids) >= compact_at():
                    self._compact()  # may map a newer file: look again from its last row
                elif complete:
                    break  # every row there is (one query per search when nothing is new)

    def _compact(self) -> None:
        """Fold the delta into a new index file, under an exclusive file lock.

        Folding loads the file into this process's memory and adds the delta, seconds of work
        at a million rows. A process that finds another one folding keeps searching its delta
        (the other's file will hold most of it) until the delta reaches twice
        CLAIM_INDEX_COMPACT_AT; only then does it wait, so its memory stays bounded.
        """
        path = self.index_path
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "w") as lock_file:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if len(self.ids) < 2 * compact_at():
                    return
                fcntl.flock(lock_file, fcntl.LOCK_EX)
            # Another process may have written a newer file meanwhile: map it (which forgets
            # the delta; the caller loads what is still missing) and fold only what is left.
            self._open()
            if len(self.ids) < compact_at():
                return
            index = restore_index(path, view=False) if self.index is not None else new_index()
            add_to_index(index, self.ids, self.vectors)
            last = self.last_pk
            write_index(
                index,
                path,
                last_pk=last,
                last_created=self._created_of(last),
                pending=frozenset(self.pending),
            )
            del index
            self._reset()
            self._open()

    def rebuild(self) -> int:
        """Write the index file afresh from every stored vector; returns the rows it holds.

        For a first deployment or a restored database: one pass over the rows in primary-key
        batches, instead of folding CLAIM_INDEX_COMPACT_AT rows at a time into ever larger
        files. Holds the file lock, so no process folds meanwhile.
        """
        path = self.index_path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock, open(path.with_name(path.name + ".lock"), "w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            index = new_index()
            last = 0
            while True:
                rows = list(
                    self.model.objects.filter(pk__gt=last, embedding__isnull=False)
                    .order_by("pk")
                    .values_list("pk", "embedding")[:_LOAD_BATCH]
                )
                if not rows:
                    break
                ids = np.fromiter((pk for pk, _ in rows), dtype=np.int64, count=len(rows))
                add_to_index(index, ids, extraction.vectors_from_bytes([bytes(b) for _, b in rows]))
                last = int(ids[-1])
            count = len(index)
            if count:
                waiting = self.model.objects.filter(pk__lte=last, embedding__isnull=True)
                pending = waiting.order_by("-pk").values_list("pk", flat=True)[:_PENDING_CAP]
                write_index(
                    index,
                    path,
                    last_pk=last,
                    last_created=self._created_of(last),
                    pending=frozenset(pending),
                )
            else:
                for stale in (path, path.with_suffix(".json")):
                    stale.unlink(missing_ok=True)
            del index
            self._reset()
            self._open()
            return count

    def search(self, queries: np.ndarray, threshold: float, exclude: set[int]):
        self.refresh()
        with self.lock:
            index, ids, vectors = self.index, self.ids, self.vectors
            in_file = self.base_last_pk
        queries = np.asarray(queries, dtype=np.float32)
        results: list[list[tuple[int, float]]] = [[] for _ in range(len(queries))]
        if index is not None and len(index):
            # Room for the excluded rows the file can hold (a new article's rows are above it).
            held = sum(1 for pk in exclude if pk <= in_file)
            found = search_index(index, queries, _TOP_K + held)
            for row, found_row in enumerate(found):
                results[row].extend(
                    (key, score)
                    for key, score in found_row
                    if score >= threshold and key not in exclude
                )
        if len(ids):
            hits = extraction.find_similar(queries, vectors, threshold, top_k=_TOP_K)
            for row, found_row in enumerate(hits):
                results[row].extend(
                    (int(ids[i]), score) for i, score in found_row if int(ids[i]) not in exclude
                )
        return [_best(row) for row in results]


def _best(hits: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The best _TOP_K hits, each row once (a file renamed in while its sidecar is still the
    old one can put a row both in the file and in the delta)."""
    best: dict[int, float] = {}
    for pk, score in hits:
        if score > best.get(pk, -2.0):
            best[pk] = score
    return sorted(best.items(), key=lambda hit: -hit[1])[:_TOP_K]
