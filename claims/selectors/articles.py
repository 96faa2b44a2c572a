"""The article page's reads: the article, one page of its sentences, their counts and the part
of the text they come from."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Prefetch,
    Q,
    QuerySet,
)

from ..models import (
    Article,
    Claim,
)

ARTICLE_SENTENCES_PER_PAGE = 100
ARTICLE_TEXT_MAX_CHARS = 50_000


def article_page(article_id: int) -> Article | None:
    """The article for its page, without its claims (they come a page at a time)."""
    return Article.objects.select_related("submitted_by").filter(pk=article_id).first()


def article_sentences(article: Article) -> QuerySet:
    """The article's filed sentences, by position, with their assignees."""
    return (
        Claim.objects.filter(article_id=article.pk)
        .select_related("assignee")
        .defer("embedding", "context")
        .order_by("position")
    )


def article_sentences_page(article: Article, page_number, *, per_page: int | None = None):
    """One page of the article's filed sentences (by position) and the article's counts by
    state, in a fixed number of queries however long the article: an article of 3,800
    sentences renders 100 of them, not 3,800."""
    claims = article_sentences(article)  # their topics: `topics_with_claims`, with the choices
    counts = Claim.objects.filter(article_id=article.pk).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(state=Claim.State.OPEN)),
        candidates=Count("pk", filter=Q(state=Claim.State.CANDIDATE)),
    )
    paginator = Paginator(claims, per_page or ARTICLE_SENTENCES_PER_PAGE)
    paginator.count = counts["total"]  # the pager's count is the aggregate's: not counted twice
    return paginator.get_page(page_number), counts


def article_text_of(article: Article, claims: list[Claim]) -> tuple[str, bool]:
    """The part of the article's text these sentences come from (all of it for a short
    article), at most ARTICLE_TEXT_MAX_CHARS; and whether it was cut."""
    body = article.body
    if len(body) <= ARTICLE_TEXT_MAX_CHARS:
        return body, False
    start = min((c.start_offset for c in claims), default=0)
    end = max((c.end_offset for c in claims), default=ARTICLE_TEXT_MAX_CHARS)
    end = min(end, start + ARTICLE_TEXT_MAX_CHARS)
    return body[start:end], True


def article_for_triage(article_id: int) -> Article | None:
    return (
        Article.objects.select_related("submitted_by")
        .prefetch_related(
            Prefetch(
                "claims",
                queryset=Claim.objects.select_related("assignee")
                .prefetch_related("topics")
                .order_by("position"),
            )
        )
        .filter(pk=article_id)
        .first()
    )
