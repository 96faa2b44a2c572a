"""Reads for reports and public pages: which claims, with which joins, flattened into rows.

Every export walks `export_queryset(...)` with `.iterator(chunk_size)`: Django runs the
prefetches once per chunk, so an export costs the same few queries per chunk whatever its size,
and memory holds one chunk at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import QueryDict
from django.urls import reverse

from claims import permissions
from claims.errors import InvalidInput
from claims.evidence.selectors import link_sentence, quote_sentence
from claims.filters import ClaimFilter
from claims.models import Claim, Evidence, Rating, Topic, Verdict

# Claims whose verdict has been approved by the editors; what non-editors may export.
VERDICT_STATES = (Claim.State.APPROVED, Claim.State.PUBLISHED)
CHUNK_SIZE = 500

# Words that mark a claimant as an organisation rather than a person (ClaimReview wants one).
_ORGANISATION_WORDS = re.compile(
    r"\b(ministry|ministries|government|department|agency|office|council|party|commission|"
    r"committee|company|corporation|corp|inc|ltd|llc|plc|group|association|organi[sz]ation|"
    r"institute|university|bank|police|army|military|navy|forces|embassy|parliament|senate|"
    r"congress|assembly|court|union|federation|foundation|news|tv|radio|bureau|authority|"
    r"administration|campaign|coalition|taliban|daesh|isis|nato|un|eu|kremlin|white house|"
    r"pentagon)\b",
    re.IGNORECASE,
)


def claimant_schema_type(name: str) -> str:
    """'Organization' for a ministry, party, outlet...; 'Person' otherwise."""
    return "Organization" if _ORGANISATION_WORDS.search(name or "") else "Person"


def _as_querydict(filters: Mapping[str, Any] | QueryDict | None) -> QueryDict:
    """Filters as the claims list's GET parameters (lists allowed), minus non-filter keys."""
    if isinstance(filters, QueryDict):
        data = filters.copy()
    else:
        data = QueryDict(mutable=True)
        for key, value in (filters or {}).items():
            values = value if isinstance(value, list | tuple) else [value]
            data.setlist(key, [str(v) for v in values if v is not None and str(v) != ""])
    for key in ("format", "page", "background", "fragment"):
        data.pop(key, None)
    return data


def filters_to_dict(filters: Mapping[str, Any] | QueryDict | None) -> dict[str, list[str]]:
    """The filters in the form an Export row stores them: every key a list of strings."""
    data = _as_querydict(filters)
    return {key: values for key, values in data.lists() if values}


def build_filter(filters: Mapping[str, Any] | QueryDict | None) -> ClaimFilter:
    """The claims list's filter over every claim; bad values raise InvalidInput in words."""
    claim_filter = ClaimFilter(_as_querydict(filters), queryset=Claim.objects.all())
    if not claim_filter.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(str(m) for m in messages)}"
            for name, messages in claim_filter.errors.items()
        )
        raise InvalidInput(f"Some filters are not valid ({problems}).", code="invalid_filters")
    return claim_filter


def describe_filters(filters: Mapping[str, Any] | QueryDict | None) -> list[tuple[str, str]]:
    """(label, value) pairs of the filters in use, for the PDF report and the status page."""
    claim_filter = build_filter(filters)
    described = []
    for name, value in claim_filter.form.cleaned_data.items():
        if value in (None, "", [], ()) or (hasattr(value, "exists") and not value.exists()):
            continue
        label = str(claim_filter.filters[name].label or name.replace("_", " ").capitalize())
        if hasattr(value, "__iter__") and not isinstance(value, str):
            value = ", ".join(str(v) for v in value)
        described.append((label, str(value)))
    return described


def export_queryset(
    *, user, filters: Mapping[str, Any] | QueryDict | None, default_states=VERDICT_STATES
) -> QuerySet[Claim]:
    """The claims an export holds, with every join the formats need.

    Non-editors get approved and published verdicts only, whatever the state filter says.
    Editors get what the claims list shows for the same filters (any state); `user=None` (a
    management command) likewise, with `default_states` when no state filter is given.
    """
    claim_filter = build_filter(filters)
    queryset = claim_filter.qs
    if user is not None and not permissions.is_editor(user):
        queryset = queryset.filter(state__in=VERDICT_STATES)
    elif user is None and default_states and not claim_filter.form.cleaned_data.get("state"):
        queryset = queryset.filter(state__in=default_states)
    if not claim_filter.form.cleaned_data.get("ordering"):
        queryset = queryset.order_by("pk")
    return with_export_joins(queryset)


def with_export_joins(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    current = Verdict.objects.filter(is_current=True).select_related("rating", "author")
    corrections = (
        Verdict.objects.filter(
            correction_of__isnull=False,
            state__in=[Verdict.State.APPROVED, Verdict.State.SUPERSEDED],
        )
        .only("pk", "claim_id", "correction_note", "decided_at", "correction_of_id", "state")
        .order_by("decided_at", "pk")
    )
    return (
        queryset.select_related("article", "duplicate_of__article")
        .defer(
            "embedding", "article__body", "duplicate_of__embedding", "duplicate_of__article__body"
        )
        .prefetch_related(
            # Lists (to_attr), not managers: Django then skips building a queryset per claim.
            Prefetch("topics", queryset=Topic.objects.order_by("name"), to_attr="topic_list"),
            Prefetch("verdicts", queryset=current, to_attr="current_verdicts"),
            Prefetch("verdicts", queryset=corrections, to_attr="applied_corrections"),
            Prefetch(
                "evidence",
                queryset=Evidence.objects.order_by("created_at", "pk"),
                to_attr="evidence_list",
            ),
        )
    )


def public_url(claim_id: int) -> str:
    """The public page's absolute URL (reverse() once per site URL, not once per row)."""
    return _public_url_pattern(settings.SITE_URL) % claim_id


@lru_cache(maxsize=8)
def _public_url_pattern(site_url: str) -> str:
    path = reverse("public:fact_check", args=[987654321]).replace("%", "%%")
    return site_url.rstrip("/") + path.replace("987654321", "%d")


@dataclass
class RatingScales:
    """Worst and best ordinal values per scale, read once per export (never hard-coded)."""

    bounds: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)

    def of(self, scale: str) -> tuple[int | None, int | None]:
        if scale not in self.bounds:
            self.bounds[scale] = Rating.objects.ordinal_bounds(scale)
        return self.bounds[scale]


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def claim_row(claim: Claim, scales: RatingScales) -> dict[str, Any]:
    """One claim, its current verdict, evidence and corrections as plain data (every format's
    input). Needs the joins of `with_export_joins`."""
    verdict = claim.current_verdicts[0] if getattr(claim, "current_verdicts", None) else None
    rating = verdict.rating if verdict else None
    worst, best = scales.of(rating.scale) if rating else (None, None)
    corrections = list(getattr(claim, "applied_corrections", []))
    # Sources as readers see them: those approved corrections added, less those they withdrew.
    applied = {c.pk for c in corrections}
    all_evidence = claim.evidence_list
    evidence = [
        e
        for e in all_evidence
        if (e.correction_id is None or e.correction_id in applied)
        and e.withdrawn_by_id not in applied
    ]
    article = claim.article
    first = claim.duplicate_of.article if claim.duplicate_of_id and claim.duplicate_of else None
    return {
        "id": claim.pk,
        "claim": claim.text,
        "claimant": claim.claimant,
        # The type extraction decided and stored; the name rule only for claims filed before it.
        "claimant_type": (claim.claimant_type or claimant_schema_type(claim.claimant))
        if claim.claimant
        else "",
        "state": claim.state,
        "language": claim.language,
        "topics": [t.slug for t in claim.topic_list],
        "rating": rating.label if rating else "",
        "rating_slug": rating.slug if rating else "",
        "rating_value": rating.value if rating else None,
        "rating_scale": rating.scale if rating else "",
        "best_rating": best if rating and rating.value is not None else None,
        "worst_rating": worst if rating and rating.value is not None else None,
        "verdict_state": verdict.state if verdict else "",
        "summary": verdict.summary if verdict else "",
        "rationale": verdict.rationale if verdict else "",
        "verdict_author": verdict.author.get_username() if verdict else "",
        "approved_at": _iso(verdict.decided_at) if verdict else None,
        "published_at": _iso(claim.published_at),
        "date_modified": _iso(corrections[-1].decided_at) if corrections else None,
        "corrections": [
            {
                "date": _iso(c.decided_at),
                "note": c.correction_note,
                "added_sources": [
                    {"url": e.url, "title": e.title}
                    for e in all_evidence
                    if e.correction_id == c.pk
                ],
                "withdrawn_sources": [
                    {"url": e.url, "title": e.title}
                    for e in all_evidence
                    if e.withdrawn_by_id == c.pk
                ],
            }
            for c in corrections
        ],
        "article": {
            "id": article.pk,
            "title": article.title,
            "url": article.url or "",
            "publisher": article.publisher,
            "author": article.author,
            "published_at": _iso(article.published_at),
        },
        "first_appearance": (
            {
                "title": first.title,
                "url": first.url or "",
                "publisher": first.publisher,
                "published_at": _iso(first.published_at),
            }
            if first is not None and first.pk != article.pk
            else None
        ),
        "evidence": [
            {
                "url": e.url,
                "title": e.title,
                "publisher": e.publisher,
                "stance": e.stance,
                "link_status": e.link_status,
                "link": link_sentence(e),
                "quote": quote_sentence(e),
                "archive_url": e.archive_url,
            }
            for e in evidence
        ],
        "public_url": public_url(claim.pk),
    }


def iter_rows(
    queryset: QuerySet[Claim], *, chunk_size: int = CHUNK_SIZE, scales: RatingScales | None = None
) -> Iterator[dict[str, Any]]:
    scales = scales or RatingScales()
    for claim in queryset.iterator(chunk_size=chunk_size):
        row = claim_row(claim, scales)
        _release(claim)
        yield row


def _release(claim: Claim) -> None:
    """Drop a claim's prefetched objects once its row is built. A prefetched verdict or evidence
    points back at its claim, a reference cycle that only the cyclic garbage collector would
    free, chunks later: broken here, each chunk is freed as soon as the next one is fetched."""
    for name in ("current_verdicts", "applied_corrections", "evidence_list", "topic_list"):
        claim.__dict__.pop(name, None)
    claim.__dict__.pop("_prefetched_objects_cache", None)


# --- Public pages ---------------------------------------------------------------------------


def published_claims() -> QuerySet[Claim]:
    return with_export_joins(Claim.objects.filter(state=Claim.State.PUBLISHED)).order_by(
        "-published_at", "-pk"
    )


def published_fact_check(claim_id: int) -> Claim | None:
    return published_claims().filter(pk=claim_id).first()
