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
from django.db import connection
from django.db.models import FilteredRelation, Func, Prefetch, Q, QuerySet, TextField
from django.http import QueryDict
from django.urls import reverse

from claims import permissions
from claims.errors import InvalidInput
from claims.evidence.selectors import link_sentence, quote_sentence
from claims.filters import ClaimFilter
from claims.models import Claim, Evidence, Rating, Topic, Verdict

# Claims whose verdict has been approved by the editors; what non-editors may export.
VERDICT_STATES = (Claim.State.APPROVED, Claim.State.PUBLISHED)
CHUNK_SIZE = 2000
CLAIMREVIEW = "claimreview"  # Export.Format.CLAIMREVIEW: only published fact-checks, ever

# Words that mark a claimant as an organisation rather than a person (ClaimReview wants one).
_ORGANISATION_WORDS = re.compile(
    r"\b(ministry|ministries|government|department|agency|office|council|party|commission|"
    r"committee|company|corporation|corp|inc|ltd|llc|plc|group|association|organi[sz]ation|"
    r"institute|university|bank|police|army|military|navy|forces|embassy|parliament|senate|"
    r"congress|assembly|court|union|federation|foundation|news|tv|radio|bureau|authority|"
    r"administration|campaign|coalition|taliban|daesh|isis|nato|un|eu|kremlin|white house|"
    r"pentagon|officials|authorities|prosecutors|lawmakers|today|times|post|press|journal|"
    r"reuters)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)  # an export repeats its claimants; the rule reads the name only
def claimant_schema_type(name: str) -> str:
    """'Organization' for a ministry, party, outlet, a body's officials or an acronym ("CDC");
    'Person' otherwise."""
    name = name or ""
    if _ORGANISATION_WORDS.search(name) or re.fullmatch(r"[A-Z][A-Z&.]+", name.strip()):
        return "Organization"
    return "Person"


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
    *,
    user,
    filters: Mapping[str, Any] | QueryDict | None,
    default_states=VERDICT_STATES,
    format_name: str | None = None,
) -> QuerySet[Claim]:
    """The claims an export holds, in order.

    Without a state filter an export holds approved and published verdicts (`default_states`),
    for everyone; editors (and management commands, `user=None`) may name other states, and the
    file name and title then say so (`export_states`). Non-editors get approved and published
    verdicts only, whatever the state filter says. ClaimReview holds published fact-checks only,
    for everyone: it is what leaves the newsroom.
    """
    claim_filter = build_filter(filters)
    queryset = claim_filter.qs
    if user is not None and not permissions.is_editor(user):
        queryset = queryset.filter(state__in=VERDICT_STATES)
    elif default_states and not claim_filter.form.cleaned_data.get("state"):
        queryset = queryset.filter(state__in=default_states)
    if format_name == CLAIMREVIEW:
        queryset = queryset.filter(state=Claim.State.PUBLISHED)
    if not claim_filter.form.cleaned_data.get("ordering"):
        queryset = queryset.order_by("pk")
    return queryset


def export_states(
    *, user, filters: Mapping[str, Any] | QueryDict | None, format_name: str | None = None
) -> list[str]:
    """The claim states an export holds, as `export_queryset` decides them (for its name)."""
    if format_name == CLAIMREVIEW:
        return [Claim.State.PUBLISHED]
    chosen = build_filter(filters).form.cleaned_data.get("state") or []
    if not chosen or (user is not None and not permissions.is_editor(user)):
        allowed = VERDICT_STATES if not chosen else [s for s in chosen if s in VERDICT_STATES]
        return list(allowed or VERDICT_STATES)
    return [s for s in Claim.State.values if s in chosen]


def describe_states(states: list[str]) -> str:
    """'approved and published verdicts', 'open and assigned claims' (for titles)."""
    labels = [Claim.State(s).label.lower() for s in states]
    words = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    noun = "verdicts" if set(states) <= set(VERDICT_STATES) else "claims"
    return f"{words} {noun}"


def with_export_joins(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    current = Verdict.objects.current().select_related("rating", "author")
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


def iso_in_database() -> bool:
    """PostgreSQL writes a timestamp as `_iso` does when it reads it in UTC (Django's default
    with USE_TZ): exports then take dates as text, with no datetime built per value."""
    return (
        connection.vendor == "postgresql" and settings.USE_TZ and connection.timezone_name == "UTC"
    )


class IsoText(Func):
    """`_iso` in SQL: datetime.isoformat() of a UTC timestamp, microseconds only when there are
    some (PostgreSQL; tests hold it equal to Python's)."""

    template = (
        "(replace(to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), "
        "'.000000', '') || '+00:00')"
    )
    output_field = TextField()


def _same(value):
    return value


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


# --- The export's rows, straight from the database ---------------------------------------------
#
# An export of 100,000 claims reads them from one server-side cursor as plain tuples
# (values_list), a chunk at a time; each chunk's topics, evidence and corrections are one query
# each, and ratings and the public URL pattern are read once per export. No model instance is
# built, so memory stays that of one chunk whatever the size. The rows are the same dicts
# `claim_row` makes from model instances (a test holds the two equal).

_CLAIM_COLUMNS = (
    "id",
    "text",
    "claimant",
    "claimant_type",
    "state",
    "language",
    "published_at",
    "article_id",
    "article__title",
    "article__url",
    "article__publisher",
    "article__author",
    "article__published_at",
    "duplicate_of_id",
    "duplicate_of__article_id",
    "duplicate_of__article__title",
    "duplicate_of__article__url",
    "duplicate_of__article__publisher",
    "duplicate_of__article__published_at",
    "cv__state",
    "cv__rating_id",
    "cv__summary",
    "cv__rationale",
    "cv__author__username",
    "cv__decided_at",
)
# The timestamps among them, read as ISO text where the database writes it (iso_in_database).
_CLAIM_TIMES = ("published_at", "article__published_at", "duplicate_of__article__published_at",
                "cv__decided_at")  # fmt: skip
_EVIDENCE_COLUMNS = (
    "claim_id",
    "url",
    "title",
    "publisher",
    "stance",
    "link_status",
    "http_status",
    "checked_at",
    "archive_url",
    "excerpt",
    "quote_status",
    "quote_checked_at",
    "correction_id",
    "withdrawn_by_id",
)


class _EvidenceFacts:
    """The fields link_sentence and quote_sentence read, without a model instance."""

    __slots__ = (
        "url",
        "title",
        "publisher",
        "stance",
        "link_status",
        "http_status",
        "checked_at",
        "archive_url",
        "excerpt",
        "quote_status",
        "quote_checked_at",
    )
    _labels = dict(Evidence.LinkStatus.choices)

    def get_link_status_display(self) -> str:
        return str(self._labels.get(self.link_status, self.link_status))


def id_array(ids: list[int]) -> str:
    """Ids as one PostgreSQL array literal ('{1,2,3}', cast to bigint[] in the SQL): psycopg
    adapts a list of 2,000 ints one by one, which took longer than the query."""
    return "{" + ",".join(map(str, map(int, ids))) + "}"


def _of_claims(queryset: QuerySet, claim_ids: list[int]) -> QuerySet:
    """Rows of these claims. On PostgreSQL the ids travel as one array parameter (`= ANY`):
    2,000 separate placeholders cost more to build and parse than the query takes to run."""
    if connection.vendor == "postgresql":
        table = queryset.model._meta.db_table
        # The table name is the model's own and the ids are a bound parameter.
        return queryset.extra(  # noqa: S610
            where=[f'"{table}"."claim_id" = ANY(%s::bigint[])'], params=[id_array(claim_ids)]
        )
    return queryset.filter(claim_id__in=claim_ids)


def _citations_of(claim_ids: list[int]) -> dict[int, list[dict]]:
    """_evidence_of for ClaimReview: each source's URL and title, all a citation says."""
    found: dict[int, list[dict]] = {}
    rows = _of_claims(Evidence.objects.order_by("created_at", "pk"), claim_ids).values_list(
        "claim_id", "url", "title", "correction_id", "withdrawn_by_id"
    )
    for claim_id, url, title, correction_id, withdrawn_by in rows:
        found.setdefault(claim_id, []).append(
            {
                "url": url,
                "title": title,
                "_correction": correction_id,
                "_withdrawn_by": withdrawn_by,
            }
        )
    return found


def _evidence_of(claim_ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    rows = _of_claims(Evidence.objects.order_by("created_at", "pk"), claim_ids).values_list(
        *_EVIDENCE_COLUMNS
    )
    sentences: dict[tuple, tuple[str, str]] = {}  # most sources share a link and quote state
    for claim_id, *values in rows:
        url, title, publisher, stance, link_status, http_status, checked_at = values[:7]
        archive_url, excerpt, quote_status, quote_checked_at, correction_id, withdrawn_by = values[
            7:
        ]
        key = (link_status, http_status, checked_at, bool(excerpt.strip()), quote_status,
               quote_checked_at)  # fmt: skip
        said = sentences.get(key)
        if said is None:
            e = _EvidenceFacts()
            for name, value in zip(_EvidenceFacts.__slots__, values[:11], strict=True):
                setattr(e, name, value)
            said = sentences[key] = (link_sentence(e), quote_sentence(e))
        found.setdefault(claim_id, []).append(
            {
                "url": url,
                "title": title,
                "publisher": publisher,
                "stance": stance,
                "link_status": link_status,
                "link": said[0],
                "quote": said[1],
                "archive_url": archive_url,
                # Dropped before the row is yielded (see _sources_as_readers_see_them).
                "_correction": correction_id,
                "_withdrawn_by": withdrawn_by,
            }
        )
    return found


def _sources_as_readers_see_them(evidence: list[dict], fixes: list[dict]) -> list[dict]:
    """claim_row's rule on plain rows: the sources approved corrections added, less those they
    withdrew; each correction lists what it added and withdrew."""
    applied = {fix.pop("_id") for fix in fixes}
    for fix in fixes:
        pk = fix["_pk"]
        fix["added_sources"] = [
            {"url": e["url"], "title": e["title"]} for e in evidence if e["_correction"] == pk
        ]
        fix["withdrawn_sources"] = [
            {"url": e["url"], "title": e["title"]} for e in evidence if e["_withdrawn_by"] == pk
        ]
        del fix["_pk"]
    shown = [
        e
        for e in evidence
        if (e["_correction"] is None or e["_correction"] in applied)
        and e["_withdrawn_by"] not in applied
    ]
    for e in evidence:
        del e["_correction"], e["_withdrawn_by"]
    return shown


def _topics_of(claim_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    rows = _of_claims(
        Claim.topics.through.objects.order_by("topic__name", "topic_id"), claim_ids
    ).values_list("claim_id", "topic__slug")
    for claim_id, slug in rows:
        found.setdefault(claim_id, []).append(slug)
    return found


def _corrections_of(claim_ids: list[int], *, iso_in_sql: bool = False) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    rows = (
        _of_claims(Verdict.objects.all(), claim_ids)
        .filter(
            correction_of__isnull=False,
            state__in=[Verdict.State.APPROVED, Verdict.State.SUPERSEDED],
        )
        .order_by("decided_at", "pk")
    )
    if iso_in_sql:
        rows = rows.annotate(iso_decided_at=IsoText("decided_at"))
    rows = rows.values_list(
        "claim_id", "pk", "iso_decided_at" if iso_in_sql else "decided_at", "correction_note"
    )
    iso = _same if iso_in_sql else _iso
    for claim_id, pk, decided_at, note in rows:
        found.setdefault(claim_id, []).append(
            {"date": iso(decided_at), "note": note, "_id": pk, "_pk": pk}
        )
    return found


def _rating_facts(scales: RatingScales) -> dict[int, tuple]:
    """Every rating once per export: id -> (label, slug, value, scale, best, worst)."""
    facts = {}
    for pk, label, slug, value, scale in Rating.objects.values_list(
        "pk", "label", "slug", "value", "scale"
    ):
        worst, best = scales.of(scale)
        ordinal = value is not None
        facts[pk] = (
            label,
            slug,
            value,
            scale,
            best if ordinal else None,
            worst if ordinal else None,
        )
    return facts


def _chunks(iterable, size: int):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def iter_rows(
    queryset: QuerySet[Claim],
    *,
    chunk_size: int = CHUNK_SIZE,
    scales: RatingScales | None = None,
    for_claimreview: bool = False,
) -> Iterator[dict[str, Any]]:
    """Every claim of `queryset` as a `claim_row` dict, streamed (see above).

    `for_claimreview`: only what formats.claimreview.claim_review reads: no topics, and each
    source and correction source as its URL and title (a test holds the ClaimReview equal)."""
    ratings = _rating_facts(scales or RatingScales())
    no_rating = ("", "", None, "", None, None)
    url_pattern = _public_url_pattern(settings.SITE_URL)
    in_sql = iso_in_database()
    iso = _same if in_sql else _iso
    claims = queryset.prefetch_related(None).annotate(
        cv=FilteredRelation("verdicts", condition=Q(verdicts__is_current=True))
    )
    columns = _CLAIM_COLUMNS
    if in_sql:
        claims = claims.annotate(**{f"iso_{n}": IsoText(n) for n in _CLAIM_TIMES})
        columns = tuple(f"iso_{c}" if c in _CLAIM_TIMES else c for c in columns)
    tuples = claims.values_list(*columns).iterator(chunk_size=chunk_size)
    for chunk in _chunks(tuples, chunk_size):
        ids = [t[0] for t in chunk]
        if for_claimreview:
            topics, evidence = {}, _citations_of(ids)
        else:
            topics, evidence = _topics_of(ids), _evidence_of(ids)
        corrections = _corrections_of(ids, iso_in_sql=in_sql)
        for (
            pk,
            text,
            claimant,
            claimant_type,
            state,
            language,
            published_at,
            article_id,
            a_title,
            a_url,
            a_publisher,
            a_author,
            a_published_at,
            duplicate_of_id,
            f_article_id,
            f_title,
            f_url,
            f_publisher,
            f_published_at,
            v_state,
            v_rating_id,
            v_summary,
            v_rationale,
            v_author,
            v_decided_at,
        ) in chunk:
            has_verdict = v_state is not None
            label, slug, value, scale, best, worst = (
                ratings.get(v_rating_id, no_rating) if v_rating_id else no_rating
            )
            fixes = corrections.get(pk, [])
            sources = evidence.get(pk, [])
            if fixes or any(e["_correction"] or e["_withdrawn_by"] for e in sources):
                sources = _sources_as_readers_see_them(sources, fixes)
            else:
                for e in sources:
                    del e["_correction"], e["_withdrawn_by"]
            yield {
                "id": pk,
                "claim": text,
                "claimant": claimant,
                "claimant_type": (claimant_type or claimant_schema_type(claimant))
                if claimant
                else "",
                "state": state,
                "language": language,
                "topics": topics.get(pk, []),
                "rating": label,
                "rating_slug": slug,
                "rating_value": value,
                "rating_scale": scale,
                "best_rating": best,
                "worst_rating": worst,
                "verdict_state": v_state or "",
                "summary": v_summary if has_verdict else "",
                "rationale": v_rationale if has_verdict else "",
                "verdict_author": v_author or "",
                "approved_at": iso(v_decided_at) if has_verdict else None,
                "published_at": iso(published_at),
                "date_modified": fixes[-1]["date"] if fixes else None,
                "corrections": fixes,
                "article": {
                    "id": article_id,
                    "title": a_title,
                    "url": a_url or "",
                    "publisher": a_publisher,
                    "author": a_author,
                    "published_at": iso(a_published_at),
                },
                "first_appearance": (
                    {
                        "title": f_title,
                        "url": f_url or "",
                        "publisher": f_publisher,
                        "published_at": iso(f_published_at),
                    }
                    if duplicate_of_id and f_article_id is not None and f_article_id != article_id
                    else None
                ),
                "evidence": sources,
                "public_url": url_pattern % pk,
            }


# --- Public pages ---------------------------------------------------------------------------


def published_claims() -> QuerySet[Claim]:
    return with_export_joins(Claim.objects.filter(state=Claim.State.PUBLISHED)).order_by(
        "-published_at", "-pk"
    )


def published_fact_check(claim_id: int) -> Claim | None:
    return published_claims().filter(pk=claim_id).first()
