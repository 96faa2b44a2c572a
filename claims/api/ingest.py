"""Article ingestion from the API's input: text, HTML (main text and metadata extracted) or a
web address (fetched by the URL service, when this server has it)."""

from __future__ import annotations

from datetime import datetime

from claims import extraction, services
from claims.errors import InvalidInput
from claims.models import Article

from .errors import Unavailable


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
        content = extraction.parse_html(html, url=url)
        if not (content.text or "").strip():
            raise InvalidInput("No article text was found in this HTML page.")
        return services.article_create_from_text(
            text=content.text,
            submitted_by=user,
            url=url,
            title=title or content.title,
            publisher=publisher or content.publisher,
            author=author or content.author,
            published_at=published_at or content.published_at,
            language=language or content.language or "en",
            source=Article.Source.HTML,
        )
    from_url = getattr(services, "article_create_from_url", None)
    if from_url is None:
        raise Unavailable(
            "Ingestion from a web address is not available on this server yet; "
            "send the article's `text` or `html` (with `url` to record where it came from)."
        )
    result = from_url(url=url, submitted_by=user)
    return result if isinstance(result, tuple) else (result, True)
