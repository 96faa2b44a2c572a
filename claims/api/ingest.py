"""Article ingestion from the API's input: text, HTML (main text and metadata extracted) or a
web address (fetched by a Celery job)."""

from __future__ import annotations

from datetime import datetime

from claims import services
from claims.models import Article


def article_from_input(
    *,
    user,
    text: str = "",
    html: str = "",
    url: str | None = None,
    title: str = "",
    publisher: str = "",
    author: str = "",
    published_at: datetime | None = None,
    language: str = "",
) -> tuple[Article, bool]:
    """Returns (article, created). The same text twice is one article."""
    if text:
        return services.article_create_from_text(
            text=text,
            submitted_by=user,
            url=url,
            title=title,
            publisher=publisher,
            author=author,
            published_at=published_at,
            language=language or "en",
            source=Article.Source.TEXT,
        )
    if html:
        return services.article_create_from_html(
            html=html,
            submitted_by=user,
            url=url,
            title=title,
            publisher=publisher,
            author=author,
            published_at=published_at,
            language=language,
        )
    return services.article_create_from_url(url=url, submitted_by=user)
