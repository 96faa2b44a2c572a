"""Article HTML to main text and metadata, with trafilatura (no network)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass
class ArticleContent:
    text: str
    title: str
    author: str
    publisher: str
    published_at: datetime | None
    language: str


def _parse_date(value: str | None) -> datetime | None:
    """trafilatura's date (usually "YYYY-MM-DD") as an aware datetime; UTC when no zone given."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_html(html: str, *, url: str | None = None) -> ArticleContent:
    """Main text, title, author, publisher (site name), publication date and language."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    if doc is None:
        return ArticleContent(
            text="", title="", author="", publisher="", published_at=None, language=""
        )
    get = doc.get if isinstance(doc, dict) else (lambda k, d=None: getattr(doc, k, d))
    return ArticleContent(
        text=(get("text") or "").strip(),
        title=get("title") or "",
        author=get("author") or "",
        publisher=get("sitename") or "",
        published_at=_parse_date(get("date")),
        language=get("language") or "",
    )
