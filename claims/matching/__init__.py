"""Similar claims: "checked before" links to earlier claims and imported past fact-checks.

Every new claim is embedded (all-MiniLM-L6-v2) and compared by cosine with earlier claims and
past fact-checks. Matches at or above settings.CLAIM_MATCH_THRESHOLD are linked; claims whose
normalised text is the same are exact repeats, counted on the claim.

The stored vectors live in one approximate-nearest-neighbour index per kind (usearch HNSW) in a
file every process memory-maps (index.py): searching a million stored claims for a new
30-claim article's sentences takes about 60 ms of CPU once they are embedded, and a
worker's own memory holds only the rows filed since the file was last written (at most about
twice CLAIM_INDEX_COMPACT_AT rows). `manage.py claim_index` builds the file from the database
in one pass (a first deployment, a restored dump) instead of fold by fold.
"""

from __future__ import annotations

import re

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Case, Value, When

from .. import extraction
from ..models import Claim, ClaimMatch, PastFactCheck
from .index import (
    _Corpus,
    _usearch,
    add_to_index,
    compact_at,
    index_dir,
    new_index,
    restore_index,
    search_index,
    write_index,
    write_sidecar,
)

__all__ = [
    "_usearch",
    "add_to_index",
    "compact_at",
    "embed_missing_past_fact_checks",
    "index_dir",
    "match_claims",
    "match_embedded",
    "match_unmatched",
    "new_index",
    "normalised",
    "rebuild_indexes",
    "reset_cache",
    "restore_index",
    "search_index",
    "write_index",
    "write_sidecar",
]
_WORDS = re.compile(r"\w+")


def normalised(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


_claims = _Corpus(Claim, "claims", "created_at")
_past = _Corpus(PastFactCheck, "past-fact-checks", "imported_at")


def reset_cache() -> None:
    """Forget loaded vectors and the mapped index (tests that recreate the database call this)."""
    global _claims, _past
    _claims = _Corpus(Claim, "claims", "created_at")
    _past = _Corpus(PastFactCheck, "past-fact-checks", "imported_at")


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
    vectors = extraction.embed_sentences([c.text for c in claims])
    return match_embedded(claims=claims, vectors=vectors)


def match_embedded(*, claims: list[Claim], vectors: np.ndarray) -> int:
    """match_claims once the claims' sentences are embedded: store the vectors, search the
    stored ones, link. (Split out so that the benchmark can time it without the encoder.)"""
    threshold = settings.CLAIM_MATCH_THRESHOLD
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
    # The index may still name a row deleted since it was written: keep only rows that exist.
    past_found = {pk for row in past_hits for pk, _ in row}
    past_exist = set(PastFactCheck.objects.filter(pk__in=past_found).values_list("pk", flat=True))
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
            if pk not in past_exist:
                continue
            links.append(
                ClaimMatch(claim_id=claim.pk, past_fact_check_id=pk, similarity=min(1.0, score))
            )
    with transaction.atomic():
        made = ClaimMatch.objects.bulk_create(links, ignore_conflicts=True)
        # One statement each, whatever the article's length (a row per claim cost 30 round
        # trips, most of a match on a busy database).
        if repeats:
            Claim.objects.bulk_update(
                [Claim(pk=pk, repeat_count=count) for pk, count in repeats.items()],
                ["repeat_count"],
            )
        if first_exact:
            Claim.objects.filter(pk__in=first_exact, duplicate_of__isnull=True).update(
                duplicate_of_id=Case(
                    *(When(pk=pk, then=Value(original)) for pk, original in first_exact.items())
                )
            )
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


def rebuild_indexes() -> dict[str, int]:
    """Write both index files afresh from the database (`manage.py claim_index`)."""
    return {"claims": _claims.rebuild(), "past fact-checks": _past.rebuild()}
