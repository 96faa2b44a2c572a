"""A client for a web archive that speaks the Wayback Machine's "Save Page Now" protocol.

GET {ARCHIVE_ENDPOINT}/save/{url} asks the archive to capture the page; the answer names the
archived copy in its Content-Location header (or Location, when the archive redirects to it),
often as a path such as /web/20260301120000/https://example.org/page.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from django.conf import settings

from claims import fetching


class ArchiveError(Exception):
    """The archive did not save the page. `message` says why, in words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ArchiveUnavailable(ArchiveError):
    """The archive is busy, slow or down: worth trying again later."""


_RETRYABLE_STATUSES = {408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524}


def save_page(url: str) -> str:
    """Ask the archive to save `url`; return the archived copy's address."""
    endpoint = settings.ARCHIVE_ENDPOINT.rstrip("/")
    host = urlsplit(endpoint).hostname or endpoint
    try:
        result = fetching.fetch(
            f"{endpoint}/save/{url}",
            accept=None,
            follow_redirects=False,
            timeout=settings.ARCHIVE_TIMEOUT_SECONDS,
            max_bytes=1024 * 1024,
        )
    except fetching.FetchHTTPError as exc:
        message = f"The web archive ({host}) did not save the page: it answered {exc.status}."
        if exc.status in _RETRYABLE_STATUSES:
            raise ArchiveUnavailable(f"{message} It will be tried again later.") from None
        raise ArchiveError(message) from None
    except (fetching.FetchTimeout, fetching.FetchConnectionError) as exc:
        raise ArchiveUnavailable(
            f"The web archive ({host}) could not be reached: {exc.message}"
        ) from None
    except fetching.FetchError as exc:
        raise ArchiveError(f"The web archive ({host}) could not be asked: {exc.message}") from None
    location = result.headers.get("content-location") or result.headers.get("location")
    if not location:
        raise ArchiveError(
            f"The web archive ({host}) answered {result.status} but did not say where it saved "
            "the page (no Content-Location or Location header)."
        )
    archived = urljoin(f"{endpoint}/", location.strip())
    if urlsplit(archived).scheme not in {"http", "https"}:
        raise ArchiveError(
            f"The web archive ({host}) gave an address that is not a web page: {archived[:200]}"
        )
    return archived
