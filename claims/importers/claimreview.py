"""Past fact-checks from other publishers' ClaimReview JSON-LD.

Reads every shape that circulates: a bare ClaimReview, a list of them, an `@graph`, a schema.org
`DataFeed` (`dataFeedElement`, items bare or wrapped in `DataFeedItem.item`), and Google's Fact
Check Tools API answer (`{"claims": [{"text", "claimant", "claimDate", "claimReview": [...]}]}`).
Each review becomes one PastFactCheck, unique by (url, claim reviewed): importing the same file
twice changes nothing. Ratings map onto our scale by name (case, spacing and hyphens ignored);
a rating we do not know is kept as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from claims import fetching, safe_json
from claims.errors import InvalidInput
from claims.models import PastFactCheck, Rating, http_url_validator

MAX_BYTES = getattr(settings, "CLAIMREVIEW_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# Field limits of PastFactCheck (url) and a sane bound on one claim's text: a longer value skips
# its review with a reason instead of failing the database write.
MAX_URL_CHARS = 2000
MAX_CLAIM_CHARS = 10_000
_SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/", "schema:")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    unmapped_ratings: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        text = (
            f"{self.total} fact-check(s) read: {self.created} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.skipped)} skipped."
        )
        if self.unmapped_ratings:
            names = ", ".join(sorted(self.unmapped_ratings)[:10])
            text += f" Ratings kept as text (not on our scale): {names}."
        return text


# --- Reading the source ---------------------------------------------------------------------


def fetch_url(url: str) -> bytes:
    """GET a ClaimReview document through claims.fetching, the one guarded fetcher: http/https
    only, every address checked (public unicast only unless the settings allow private ones) and
    connected to as checked, each redirect checked again, an overall deadline, a size cap."""
    try:
        http_url_validator(url)
    except ValidationError:
        raise InvalidInput(
            f"Only http:// and https:// addresses can be fetched, not {url[:200]!r}."
        ) from None
    try:
        result = fetching.fetch(url, max_bytes=MAX_BYTES, accept=None)
    except fetching.FetchError as error:
        raise InvalidInput(f"Could not fetch the ClaimReview document: {error.message}") from None
    return result.body


def read_source(source: str) -> bytes:
    """A file path, '-' (standard input is read by the caller) or an http/https URL."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source):
        return fetch_url(source)
    path = Path(source)
    if not path.is_file():
        raise InvalidInput(f"There is no file at {source}.")
    if path.stat().st_size > MAX_BYTES:
        raise InvalidInput(f"{source} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        return path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"Could not read {source}: {error.strerror or error}.") from None


def parse_json(data: bytes | str) -> Any:
    """The document as JSON, refused whole (InvalidInput, nothing written) when it is not UTF-8
    JSON, nests deeper than safe_json.MAX_DEPTH, or holds a NUL character in any string."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(
                "The file is not UTF-8 text: ClaimReview JSON-LD is UTF-8."
            ) from None
    try:
        return safe_json.loads(data)
    except safe_json.UnsafeJSON as error:
        message = error.message.replace("The body", "The file")
        raise InvalidInput(message) from None


# --- Walking the shapes ---------------------------------------------------------------------


def _types(node: dict) -> set[str]:
    raw = node.get("@type", node.get("type", []))
    values = raw if isinstance(raw, list) else [raw]
    names = set()
    for value in values:
        if isinstance(value, str):
            for prefix in _SCHEMA_PREFIXES:
                if value.startswith(prefix):
                    value = value[len(prefix) :]
            names.add(value)
    return names


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _text(value: Any) -> str:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@value", value.get("name", ""))
    return str(value).strip() if value is not None else ""


def _name(value: Any) -> str:
    value = _first(value)
    if isinstance(value, dict):
        return _text(value.get("name", ""))
    return _text(value)


def _url(value: Any) -> str:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("url") or value.get("@id") or ""
        value = _first(value)
    return str(value).strip() if isinstance(value, str) else ""


def _date(value: Any) -> datetime | None:
    text = _text(value)
    if not text:
        return None
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text[:10])
            moment = datetime.combine(day, time()) if day else None
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment


def _review_record(node: dict) -> dict[str, Any]:
    rating = _first(node.get("reviewRating")) or {}
    if not isinstance(rating, dict):
        rating = {"alternateName": rating}
    item = _first(node.get("itemReviewed")) or {}
    if not isinstance(item, dict):
        item = {}
    rating_text = _text(rating.get("alternateName")) or _text(rating.get("name"))
    return {
        "claim_reviewed": _text(node.get("claimReviewed")) or _text(item.get("text")),
        "claimant": _name(item.get("author")),
        "publisher": _name(node.get("author")) or _name(node.get("publisher")),
        "url": _url(node.get("url")) or _url(node.get("@id")),
        "rating_text": rating_text,
        "rating_value": _text(rating.get("ratingValue")),
        "language": _text(node.get("inLanguage")),
        "date_published": _date(node.get("datePublished")),
        "claim_date": _date(item.get("datePublished")),
        "appearance_url": _url(item.get("appearance")) or _url(item.get("firstAppearance")),
    }


def _api_records(claim: dict) -> Iterator[dict[str, Any]]:
    """Google's Fact Check Tools API: one claim with its reviews by several publishers."""
    reviews = claim.get("claimReview") or []
    for review in reviews if isinstance(reviews, list) else [reviews]:
        if not isinstance(review, dict):
            continue
        publisher = review.get("publisher") or {}
        if not isinstance(publisher, dict):
            publisher = {"name": publisher}
        yield {
            "claim_reviewed": _text(claim.get("text")),
            "claimant": _text(claim.get("claimant")),
            "publisher": _text(publisher.get("name")) or _text(publisher.get("site")),
            "url": _text(review.get("url")),
            "rating_text": _text(review.get("textualRating")),
            "rating_value": "",
            "language": _text(review.get("languageCode")),
            "date_published": _date(review.get("reviewDate")),
            "claim_date": _date(claim.get("claimDate")),
            "appearance_url": "",
            "title": _text(review.get("title")),
        }


def iter_records(document: Any, _depth: int = 0) -> Iterator[tuple[dict[str, Any], Any]]:
    """(record, source node) for every ClaimReview anywhere in the document's known shapes."""
    if _depth > 8:
        return
    if isinstance(document, list):
        for node in document:
            yield from iter_records(node, _depth + 1)
        return
    if not isinstance(document, dict):
        return
    if isinstance(document.get("claims"), list) and not _types(document):
        for claim in document["claims"]:
            if isinstance(claim, dict):
                for record in _api_records(claim):
                    yield record, claim
        return
    types = _types(document)
    if "ClaimReview" in types:
        yield _review_record(document), document
        return
    for key in ("@graph", "dataFeedElement", "item", "review", "mainEntity"):
        if key in document:
            yield from iter_records(document[key], _depth + 1)


# --- Ratings --------------------------------------------------------------------------------


def normalise_rating_name(name: str) -> str:
    name = re.sub(r"[\s_\-–—]+", " ", (name or "").casefold())
    return re.sub(r"[^\w ]+", "", name).strip()


def rating_lookup(scale: str = "default") -> dict[str, Rating]:
    lookup: dict[str, Rating] = {}
    for rating in Rating.objects.filter(scale=scale, active=True):
        lookup.setdefault(normalise_rating_name(rating.label), rating)
        lookup.setdefault(normalise_rating_name(rating.slug), rating)
    return lookup


# --- The service ----------------------------------------------------------------------------


def _clean(record: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    claim = record["claim_reviewed"]
    url = record["url"]
    if not claim:
        return None, f"a review at {url or 'an unknown address'} has no claimReviewed"
    if not url:
        return None, f"the review of {claim[:60]!r} has no url"
    if len(claim) > MAX_CLAIM_CHARS:
        return None, (
            f"the review at {url[:100]} has a claimReviewed of {len(claim):,} characters; "
            f"the limit is {MAX_CLAIM_CHARS:,}"
        )
    if len(url) > MAX_URL_CHARS:
        return (
            None,
            f"the review of {claim[:60]!r} has a url longer than {MAX_URL_CHARS} characters",
        )
    try:
        http_url_validator(url)
    except ValidationError:
        return None, f"the review of {claim[:60]!r} has a url that is not http/https: {url[:100]}"
    appearance = record["appearance_url"]
    if appearance:
        try:
            http_url_validator(appearance)
        except ValidationError:
            appearance = ""
        if len(appearance) > MAX_URL_CHARS:  # a cut address would point somewhere else
            appearance = ""
    return {
        **record,
        "claimant": record["claimant"][:200],
        "publisher": record["publisher"][:200],
        "rating_text": record["rating_text"][:200],
        "language": record["language"][:12],
        "appearance_url": appearance,
    }, ""


FIELDS = [
    "claimant",
    "publisher",
    "rating",
    "rating_text",
    "language",
    "date_published",
    "claim_date",
    "appearance_url",
    "source",
]


def import_claimreview(*, document: Any) -> ImportResult:
    """Store every ClaimReview in `document` (already parsed JSON) as a PastFactCheck."""
    result = ImportResult()
    ratings = rating_lookup()
    seen: set[tuple[str, str]] = set()
    found = False
    with transaction.atomic():
        for record, node in iter_records(document):
            found = True
            cleaned, problem = _clean(record)
            if cleaned is None:
                result.skipped.append(problem)
                continue
            key = (cleaned["url"], cleaned["claim_reviewed"])
            if key in seen:
                result.unchanged += 1
                continue
            seen.add(key)
            rating = ratings.get(normalise_rating_name(cleaned["rating_text"]))
            if rating is None and cleaned["rating_text"]:
                result.unmapped_ratings.add(cleaned["rating_text"])
            values = {
                "claimant": cleaned["claimant"],
                "publisher": cleaned["publisher"],
                "rating": rating,
                "rating_text": cleaned["rating_text"],
                "language": cleaned["language"],
                "date_published": cleaned["date_published"],
                "claim_date": cleaned["claim_date"],
                "appearance_url": cleaned["appearance_url"],
                "source": node,
            }
            existing = (
                PastFactCheck.objects.select_for_update()
                .filter(url=cleaned["url"], claim_reviewed=cleaned["claim_reviewed"])
                .first()
            )
            if existing is None:
                PastFactCheck.objects.create(
                    url=cleaned["url"], claim_reviewed=cleaned["claim_reviewed"], **values
                )
                result.created += 1
                continue
            changed = [name for name in FIELDS if getattr(existing, name) != values[name]]
            if changed:
                for name in changed:
                    setattr(existing, name, values[name])
                existing.save(update_fields=changed)
                result.updated += 1
            else:
                result.unchanged += 1
    if not found:
        raise InvalidInput(
            "No ClaimReview found. Expected ClaimReview JSON-LD (a single review, a list, an "
            "@graph or a DataFeed) or a Fact Check Tools API answer with 'claims'."
        )
    return result
