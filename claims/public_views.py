"""Public pages: one per published fact-check with its ClaimReview JSON-LD, a list, and feeds.

No login. Anything not published is a 404, whoever asks.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from .exports import selectors
from .exports.formats import claimreview

FEED_SIZE = 50

# What django.utils.html.json_script escapes: inside <script> no '<', '>' or '&' can end it.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld_script(data: dict) -> SafeString:
    """A <script type="application/ld+json"> block; '</script>' in any text cannot close it.
    A data block runs nothing, so the Content-Security-Policy does not apply to it (no nonce)."""
    text = json.dumps(data, ensure_ascii=False, indent=2).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@require_GET
def fact_check_detail(request, claim_id: int):
    claim = selectors.published_fact_check(claim_id)
    if claim is None:
        raise Http404("No published fact-check here.")
    row = selectors.claim_row(claim, selectors.RatingScales())
    return render(
        request,
        "public/fact_check.html",
        {
            "claim": claim,
            "row": row,
            "verdict": claim.current_verdicts[0] if claim.current_verdicts else None,
            "corrections": [
                {
                    "date": parse_datetime(c["date"]) if c["date"] else None,
                    "note": c["note"],
                    "added_sources": c["added_sources"],
                    "withdrawn_sources": c["withdrawn_sources"],
                }
                for c in row["corrections"]
            ],
            "updated_at": parse_datetime(row["date_modified"]) if row["date_modified"] else None,
            "json_ld": json_ld_script(claimreview.claim_review(row, with_context=True)),
            "organisation": settings.FACTCHECK_ORGANISATION,
            "canonical_url": row["public_url"],
        },
    )


@require_GET
def fact_check_list(request):
    page = Paginator(selectors.published_claims(), 25).get_page(request.GET.get("page"))
    scales = selectors.RatingScales()
    rows = [selectors.claim_row(claim, scales) for claim in page.object_list]
    return render(
        request,
        "public/list.html",
        {"page": page, "rows": rows, "organisation": settings.FACTCHECK_ORGANISATION},
    )


@require_GET
def feed_jsonld(request):
    scales = selectors.RatingScales()
    rows = [selectors.claim_row(c, scales) for c in selectors.published_claims()[:FEED_SIZE]]
    feed = claimreview.data_feed(rows, feed_url=_site_url(reverse("public:feed_jsonld")))
    return JsonResponse(
        feed,
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


class LatestFactChecksFeed(Feed):
    description_template = None

    def title(self):
        return escape(f"{settings.FACTCHECK_ORGANISATION['name']}: fact-checks")

    def link(self):
        return _site_url(reverse("public:list"))

    def description(self):
        return "The latest published fact-checks."

    def items(self):
        scales = selectors.RatingScales()
        return [selectors.claim_row(c, scales) for c in selectors.published_claims()[:FEED_SIZE]]

    # RSS readers differ: many render <title> and <description> as HTML after undoing the XML
    # escaping. So the text is HTML-escaped here and XML-escaped by the feed writer: a reader that
    # renders HTML shows "<script>" as text, and one that shows text shows it once escaped.

    def item_title(self, item):
        rating = f"{item['rating']}: " if item["rating"] else ""
        return escape(f"{rating}{item['claim'][:200]}")

    def item_description(self, item):
        who = f"{item['claimant']} said: " if item["claimant"] else ""
        return escape(f"{who}“{item['claim']}” — {item['summary']}")

    def item_link(self, item):
        return item["public_url"]

    def item_guid(self, item):
        return item["public_url"]

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return parse_datetime(item["published_at"]) if item["published_at"] else None

    def item_updateddate(self, item):
        return parse_datetime(item["date_modified"]) if item["date_modified"] else None

    def item_author_name(self, item):
        return settings.FACTCHECK_ORGANISATION["name"]
