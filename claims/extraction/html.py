"""Article HTML to main text and metadata, with trafilatura (no network)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass
class ArticleContent:
    """An article's main text and metadata; callers with plain text build it from `text` alone."""

    text: str
    title: str = ""
    author: str = ""
    publisher: str = ""
    published_at: datetime | None = None
    language: str = "en"


_HTML_LANG = re.compile(r"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)


def _parse_date(value: str | None) -> datetime | None:
    """trafilatura's date (usually "YYYY-MM-DD") as an aware datetime; UTC when no zone given."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _html_lang(html: str) -> str:
    m = _HTML_LANG.search(html[:5000])
    return m.group(1) if m else ""


# Site navigation and furniture outside the article: trafilatura's fallback would otherwise
# return a bare menu ("Home") as the text of a page that has no article.
_FURNITURE = (
    "//nav | //aside | //menu | //footer[not(ancestor::article)]"
    " | //header[not(ancestor::article) and not(ancestor::main)]"
)


def _without_furniture(html: str):
    from lxml import html as lxml_html
    from lxml.etree import ParserError

    try:
        tree = lxml_html.fromstring(html)
    except (ParserError, ValueError):
        return html
    for element in tree.xpath(_FURNITURE):
        element.drop_tree()
    return tree


def parse_html(html: str, *, url: str | None = None) -> ArticleContent:
    """Main text, title, author, publisher (site name), publication date and language.

    language: trafilatura's, else the page's <html lang>, else "" (unknown).
    """
    import trafilatura

    doc = trafilatura.bare_extraction(
        _without_furniture(html),
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    if doc is None:
        return ArticleContent(
            text="", title="", author="", publisher="", published_at=None, language=_html_lang(html)
        )
    get = doc.get if isinstance(doc, dict) else (lambda k, d=None: getattr(doc, k, d))
    return ArticleContent(
        text=(get("text") or "").strip(),
        title=get("title") or "",
        author=get("author") or "",
        publisher=get("sitename") or "",
        published_at=_parse_date(get("date")),
        language=(get("language") or _html_lang(html)).lower(),
    )
