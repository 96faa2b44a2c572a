"""Similar claims: "checked before" links to earlier claims and imported past fact-checks.

Every new claim is embedded (all-MiniLM-L6-v2) and compared by cosine with every earlier claim
and past fact-check. Matches at or above settings.CLAIM_MATCH_THRESHOLD are linked; claims whose
normalised text is the same are exact repeats, counted on the claim.

The comparison is a vectorised scan over a per-process matrix that only loads rows it has not
seen, so it stays fast at 100,000 stored claims without reading them all every time.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import transaction

from . import extraction
from .models import Claim, ClaimMatch, PastFactCheck

logger = logging.getLogger(__name__)
_WORDS = re.compile(r"\w+")


def normalised(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


@dataclass
class _Corpus:
    """Vectors of stored rows, loaded incrementally by primary key."""

    model: type
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 384), dtype=np.float32))
    last_pk: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self) -> None:
        with self.lock:
            rows = list(
                self.model.objects.filter(pk__gt=self.last_pk, embedding__isnull=False)
                .order_by("pk")
                .values_list("pk", "embedding")
            )
            if not rows:
                return
            ids = np.fromiter((pk for pk, _ in rows), dtype=np.int64, count=len(rows))
            vectors = extraction.vectors_from_bytes([bytes(blob) for _, blob in rows])
            self.ids = np.concatenate([self.ids, ids])
            self.vectors = np.vstack([self.vectors, vectors])
            self.last_pk = int(ids[-1])

    def search(self, queries: np.ndarray, threshold: float, exclude: set[int]):
        self.refresh()
        hits = extraction.find_similar(queries, self.vectors, threshold, top_k=10)
        return [
            [(int(self.ids[i]), score) for i, score in row if int(self.ids[i]) not in exclude]
            for row in hits
        ]


_claims = _Corpus(Claim)
_past = _Corpus(PastFactCheck)


def reset_cache() -> None:
    """Forget loaded vectors (tests that recreate the database call this)."""
    global _claims, _past
    _claims, _past = _Corpus(Claim), _Corpus(PastFactCheck)


def embed_missing_past_fact_checks(batch: int = 256) -> int:
    done = 0
    while True:
        rows = list(
            PastFactCheck.objects.filter(embedding__isnull=True).values_list(
                "pk", "claim_reviewed"
            )[:batch]
        )
        if not rows:
            return done
        vectors = extraction.embed_sentences([text for _, text in rows])
        PastFactCheck.objects.bulk_update(
            [
                PastFactCheck(pk=pk, embedding=extraction.vector_to_bytes(vec))
                for (pk, _), vec in zip(rows, vectors, strict=True)
            ],
            ["embedding"],
        )
        done += len(rows)


def match_claims(*, claim_ids: list[int]) -> int:
    """Embed the given claims and link them to similar earlier claims and past fact-checks.

    Idempotent: existing links are kept, none are made twice. Returns links made.
    """
    claims = list(Claim.objects.filter(pk__in=claim_ids).order_by("pk").only("pk", "text"))
    if not claims:
        return 0
    threshold = settings.CLAIM_MATCH_THRESHOLD
    vectors = extraction.embed_sentences([c.text for c in claims])
    Claim.objects.bulk_update(
        [
            Claim(pk=c.pk, embedding=extraction.vector_to_bytes(v))
            for c, v in zip(claims, vectors, strict=True)
        ],
        ["embedding"],
    )
    embed_missing_past_fact_checks()
    new_ids = {c.pk for c in claims}
    # Compare with earlier claims only (lower ids), never with the claim itself.
    claim_hits = _claims.search(vectors, threshold, exclude=new_ids)
    past_hits = _past.search(vectors, threshold, exclude=set())
    candidate_ids = {pk for row in claim_hits for pk, _ in row}
    texts = dict(Claim.objects.filter(pk__in=candidate_ids).values_list("pk", "text"))
    links: list[ClaimMatch] = []
    repeats: dict[int, int] = {}
    first_exact: dict[int, int] = {}
    for claim, c_hits, p_hits in zip(claims, claim_hits, past_hits, strict=True):
        mine = normalised(claim.text)
        for pk, score in c_hits:
            if pk not in texts or pk > claim.pk:
                continue
            exact = normalised(texts[pk]) == mine
            repeats[claim.pk] = repeats.get(claim.pk, 0) + int(exact)
            if exact:
                first_exact[claim.pk] = min(pk, first_exact.get(claim.pk, pk))
            links.append(
                ClaimMatch(
                    claim_id=claim.pk, matched_claim_id=pk, similarity=min(1.0, score), exact=exact
                )
            )
        for pk, score in p_hits:
            links.append(
                ClaimMatch(claim_id=claim.pk, past_fact_check_id=pk, similarity=min(1.0, score))
            )
    with transaction.atomic():
        made = ClaimMatch.objects.bulk_create(links, ignore_conflicts=True)
        for pk, count in repeats.items():
            Claim.objects.filter(pk=pk).update(repeat_count=count)
        for pk, original in first_exact.items():
            Claim.objects.filter(pk=pk, duplicate_of__isnull=True).update(duplicate_of_id=original)
    return len(made)


def match_unmatched(*, older_than_minutes: int = 5, batch: int = 500) -> int:
    """Match claims a lost or failed job left without an embedding. Returns how many."""
    from datetime import timedelta

    from django.utils import timezone

    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    ids = list(
        Claim.objects.filter(embedding__isnull=True, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    if ids:
        match_claims(claim_ids=ids)
    return len(ids)
