"""Fetch an evidence link and say what became of it: outcome, title, main text and its hashes.

No database here: services.py records what this finds.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings

from claims import fetching
from claims.models import Evidence

logger = logging.getLogger(__name__)

LinkStatus = Evidence.LinkStatus
_GONE_STATUSES = {404, 410}
_BLOCKED_STATUSES = {401, 402, 403, 407, 429, 451}


@dataclass(frozen=True)
class PageText:
    text: str
    raw_sha256: str
    text_sha256: str
    size: int
    truncated: bool


@dataclass(frozen=True)
class LinkCheck:
    status: str
    detail: str
    http_status: int | None = None
    final_url: str = ""
    content_type: str = ""
    title: str = ""
    page: PageText | None = None


class _TitleParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_title = False
        self.done = False
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "title" and not self.done:
            self.in_title = True

    def handle_endtag(self, tag):
        if tag == "title" and self.in_title:
            self.in_title, self.done = False, True

    def handle_data(self, data):
        if self.in_title:
            self.parts.append(data)


def page_title(html: str) -> str:
    parser = _TitleParser()
    try:
        parser.feed(html[:200_000])
    except Exception:  # noqa: BLE001 - a broken page has no title, nothing more
        return ""
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()[:500]


def main_text(html: str, *, url: str = "") -> str:
    """The page's main text, by the same extractor as articles; plain text if it finds none."""
    from claims import extraction

    text = ""
    try:
        text = extraction.parse_html(html, url=url or None).text or ""
    except Exception:  # noqa: BLE001 - the extractor's failure must not lose the link check
        logger.warning("extractor failed on %s", url, exc_info=True)
    if not text.strip():
        import trafilatura

        text = trafilatura.extract(html, url=url or None, favor_recall=True) or ""
    if not text.strip():
        import lxml.html

        try:
            root = lxml.html.fromstring(html)
            for node in root.xpath("//script|//style|//noscript|//template"):
                node.drop_tree()
            text = root.text_content()
        except Exception:  # noqa: BLE001
            text = ""
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _page_text(result: fetching.FetchResult) -> tuple[str, PageText]:
    decoded = result.text
    if result.content_type == "text/plain":
        title, text = "", "\n".join(line.strip() for line in decoded.splitlines()).strip()
    else:
        title, text = page_title(decoded), main_text(decoded, url=result.final_url)
    limit = settings.EVIDENCE_SNAPSHOT_MAX_CHARS
    page = PageText(
        text=text[:limit],
        raw_sha256=hashlib.sha256(result.body).hexdigest(),
        # Of the whole text, so that a change past the cut is still seen.
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        size=len(result.body),
        truncated=len(text) > limit,
    )
    return title, page


def _same_place(a: str, b: str) -> bool:
    """An http->https upgrade or a trailing slash is not a move."""
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.hostname, pa.path.rstrip("/") or "/", pa.query) == (
        pb.hostname,
        pb.path.rstrip("/") or "/",
        pb.query,
    ) and {pa.scheme, pb.scheme} <= {"http", "https"}


def _reached(url: str, final_url: str, redirects) -> tuple[str, str]:
    if redirects and not _same_place(url, final_url):
        return LinkStatus.MOVED, f"The page moved to {final_url}."
    return LinkStatus.OK, ""


def probe(url: str) -> LinkCheck:
    """Fetch an evidence link and say what became of it."""
    try:
        result = fetching.fetch(url)
    except fetching.FetchHTTPError as exc:
        if exc.status in _GONE_STATUSES:
            status = LinkStatus.GONE
            detail = f"The page is gone: {exc.message}"
        elif exc.status in _BLOCKED_STATUSES:
            status = LinkStatus.BLOCKED
            detail = (
                f"The site would not show us the page: {exc.message} It may need a login or "
                "refuse automated checks; open it in a browser."
            )
        else:
            status, detail = LinkStatus.ERROR, exc.message
        return LinkCheck(
            status=status,
            detail=detail,
            http_status=exc.status,
            final_url=exc.final_url,
            content_type=exc.content_type,
        )
    except (fetching.FetchWrongType, fetching.FetchTooLarge) as exc:
        # The link works; the page just is not one we keep a text snapshot of.
        status, moved = _reached(url, exc.final_url, exc.redirects)
        detail = " ".join(filter(None, [moved, exc.message, "No text snapshot was kept."]))
        return LinkCheck(
            status=status,
            detail=detail,
            http_status=exc.status,
            final_url=exc.final_url,
            content_type=exc.content_type,
        )
    except fetching.FetchTimeout as exc:
        return LinkCheck(status=LinkStatus.TIMED_OUT, detail=exc.message, final_url=exc.final_url)
    except fetching.FetchError as exc:
        return LinkCheck(
            status=LinkStatus.ERROR,
            detail=exc.message,
            http_status=exc.status,
            final_url=exc.final_url,
        )
    title, page = _page_text(result)
    status, detail = _reached(url, result.final_url, result.redirects)
    if page.truncated:
        detail = " ".join(
            filter(None, [detail, f"The snapshot keeps the first {len(page.text):,} characters."])
        )
    return LinkCheck(
        status=status,
        detail=detail,
        http_status=result.status,
        final_url=result.final_url,
        content_type=result.content_type,
        title=title,
        page=page,
    )
