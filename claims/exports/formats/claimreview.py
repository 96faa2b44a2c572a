"""schema.org ClaimReview JSON-LD, as Google's Fact Check Tools and other aggregators read it.

The rating scale maps to numbers from the data, never from constants here: an ordinal rating
(`Rating.value` set) gives `ratingValue` = its value, `worstRating` / `bestRating` = the lowest and
highest values of its scale; a rating without a number (Misleading, Unverifiable...) gives only
`alternateName`, which every rating carries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from django.conf import settings
from django.utils import timezone

CONTEXT = "https://schema.org"


def organisation() -> dict[str, str]:
    org = settings.FACTCHECK_ORGANISATION
    data = {"@type": "Organization", "name": org["name"]}
    if org.get("url"):
        data["url"] = org["url"]
    return data


def _creative_work(title: str, url: str, publisher: str, published_at: str | None) -> dict | None:
    if not (url or title):
        return None
    work: dict[str, Any] = {"@type": "CreativeWork"}
    if url:
        work["url"] = url
    if title:
        work["headline"] = title
    if publisher:
        work["publisher"] = {"@type": "Organization", "name": publisher}
    if published_at:
        work["datePublished"] = published_at
    return work


def review_rating(row: dict) -> dict[str, Any]:
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": row["rating"]}
    if row["rating_value"] is not None and row["best_rating"] is not None:
        rating["ratingValue"] = row["rating_value"]
        rating["bestRating"] = row["best_rating"]
        rating["worstRating"] = row["worst_rating"]
    if row["summary"]:
        rating["ratingExplanation"] = row["summary"]
    return rating


def claim_review(
    row: dict, *, with_context: bool = False, author: dict | None = None
) -> dict[str, Any]:
    """One ClaimReview for one claim row (claims.exports.selectors.claim_row). `author` is
    `organisation()`, passed in by a caller that writes many (built once, not per row)."""
    article = row["article"]
    item: dict[str, Any] = {"@type": "Claim"}
    if row["claimant"]:
        item["author"] = {"@type": row["claimant_type"] or "Person", "name": row["claimant"]}
    if article["published_at"]:
        item["datePublished"] = article["published_at"]
    appearance = _creative_work(
        article["title"], article["url"], article["publisher"], article["published_at"]
    )
    if appearance:
        item["appearance"] = appearance
    first = row.get("first_appearance")
    if first:
        first_work = _creative_work(
            first["title"], first["url"], first["publisher"], first["published_at"]
        )
        if first_work:
            item["firstAppearance"] = first_work
    review: dict[str, Any] = {}
    if with_context:
        review["@context"] = CONTEXT
    review.update(
        {
            "@type": "ClaimReview",
            "@id": row["public_url"] + "#claimreview",
            "url": row["public_url"],
            "claimReviewed": row["claim"],
            "reviewRating": review_rating(row),
            "author": author or organisation(),
            "datePublished": row["published_at"] or row["approved_at"],
            "inLanguage": row["language"],
            "itemReviewed": item,
        }
    )
    if row["date_modified"]:
        review["dateModified"] = row["date_modified"]
    if row["rationale"]:
        review["reviewBody"] = row["rationale"]
    if row["evidence"]:
        review["citation"] = [
            {
                "@type": "CreativeWork",
                "url": e["url"],
                **({"name": e["title"]} if e["title"] else {}),
            }
            for e in row["evidence"]
        ]
    if review["datePublished"] is None:
        del review["datePublished"]
    return review


def write(rows: Iterable[dict], *, on_row=None) -> Iterator[str]:
    """A JSON-LD document: {"@context": "https://schema.org", "@graph": [ClaimReview, ...]}."""
    yield '{"@context": ' + json.dumps(CONTEXT) + ', "@graph": ['
    author = organisation()
    pieces: list[bytes] = []
    size, separator = 0, b"\n"
    for row in rows:
        piece = separator + orjson.dumps(claim_review(row, author=author))
        separator = b",\n"
        pieces.append(piece)
        size += len(piece)
        if on_row:
            on_row()
        if size > 65536:  # about 64 KB a piece, as the CSV writes
            yield b"".join(pieces).decode()
            pieces, size = [], 0
    if pieces:
        yield b"".join(pieces).decode()
    yield "\n]}\n"


def data_feed(rows: Iterable[dict], *, feed_url: str) -> dict[str, Any]:
    """A schema.org DataFeed of ClaimReviews (the shape Google's fact-check feeds use)."""
    return {
        "@context": CONTEXT,
        "@type": "DataFeed",
        "@id": feed_url,
        "url": feed_url,
        "name": f"{settings.FACTCHECK_ORGANISATION['name']}: published fact-checks",
        "dateModified": timezone.now().isoformat(),
        "author": organisation(),
        "dataFeedElement": [claim_review(row) for row in rows],
    }
