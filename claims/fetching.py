"""Outbound HTTP for article URLs and evidence links, with the guards a server-side fetcher needs.

Every fetch:
- accepts only http:// and https:// addresses;
- resolves the host itself and refuses every address that is not globally routable unicast
  (address_refusal: private, loopback, link-local, site-local, multicast, reserved, unspecified,
  and IPv6 forms that wrap an IPv4 address: mapped, compatible, 6to4, Teredo, NAT64), unless
  settings.FETCH_ALLOW_PRIVATE_ADDRESSES (which tests set), then
  connects to the very address it checked, so that a second DNS answer cannot point the
  connection somewhere else (DNS rebinding);
- follows redirects itself, up to settings.FETCH_MAX_REDIRECTS, checking every hop the same way;
- has a connect timeout, a read timeout and an overall deadline;
- streams the body and stops at a size cap (after decompression, so a small gzip bomb is caught);
- checks the content type before reading the body.

Errors are subclasses of FetchError whose message is a sentence a person can act on.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import NewConnectionError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError

DEFAULT_ACCEPT = ("text/html", "text/plain", "application/xhtml+xml")
_CHUNK = 64 * 1024
_REDIRECT_STATUSES = {301, 302, 303, 307, 308}


# --- Errors -----------------------------------------------------------------------------------


class FetchError(Exception):
    """A page could not be fetched. `message` says why, in words; the rest says how far it got."""

    code = "fetch_error"

    def __init__(
        self,
        message: str,
        *,
        url: str = "",
        final_url: str = "",
        status: int | None = None,
        content_type: str = "",
        redirects: list[tuple[int, str]] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.url = url
        self.final_url = final_url or url
        self.status = status
        self.content_type = content_type
        self.redirects = list(redirects or [])

    def __str__(self) -> str:
        return self.message


class FetchRefused(FetchError):
    """The address is not one we fetch: not http(s), or it points into a private network."""

    code = "refused"


class FetchTooLarge(FetchError):
    code = "too_large"


class FetchTimeout(FetchError):
    code = "timeout"


class FetchWrongType(FetchError):
    code = "wrong_type"


class FetchHTTPError(FetchError):
    """The site answered with an error status (4xx or 5xx); `status` has it."""

    code = "http_error"


class FetchTooManyRedirects(FetchError):
    code = "too_many_redirects"


class FetchConnectionError(FetchError):
    """DNS failed, the connection was refused or dropped, or TLS failed."""

    code = "connection_error"


# --- Result -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    final_url: str
    headers: dict[str, str]
    content_type: str  # the media type alone, lower case: "text/html"
    charset: str  # from the Content-Type header; "" when it names none
    body: bytes
    redirects: list[tuple[int, str]] = field(default_factory=list)  # (status, location) per hop
    elapsed: float = 0.0

    @property
    def text(self) -> str:
        return decode_body(self.body, charset=self.charset)

    @property
    def was_redirected(self) -> bool:
        return bool(self.redirects)


def decode_body(body: bytes, *, charset: str = "") -> str:
    """Bytes to text: the declared charset, else a <meta charset>, else UTF-8, else cp1252."""
    candidates = [charset] if charset else []
    meta = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", body[:4096], re.I)
    if meta:
        candidates.append(meta.group(1).decode("ascii", "ignore"))
    candidates.append("utf-8")
    for name in candidates:
        try:
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("cp1252", errors="replace")


# --- Address checks ---------------------------------------------------------------------------


_IPV6_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
# IPv6 ranges that carry (or translate to) an IPv4 address, refused whole whatever they wrap: a
# 6to4 or NAT64 gateway on the path would deliver the packet to the wrapped address, which may be
# loopback or private (2002:7f00:1::1 is 127.0.0.1; 64:ff9b::a9fe:a9fe is 169.254.169.254).
_IPV6_TUNNELS = {
    ipaddress.ip_network("2002::/16"): "a 6to4 address (it wraps an IPv4 address)",
    ipaddress.ip_network("2001::/32"): "a Teredo address (it wraps an IPv4 address)",
    ipaddress.ip_network("64:ff9b::/96"): "a NAT64 address (it translates to an IPv4 address)",
    ipaddress.ip_network("64:ff9b:1::/48"): "a NAT64 address (it translates to an IPv4 address)",
}
# Documentation prefix (RFC 9637) newer than some Pythons' tables.
_IPV6_DOCUMENTATION = ipaddress.ip_network("3fff::/20")


def address_refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is not fetched, in words; None only for a globally routable unicast
    address. IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) forms are judged by the
    IPv4 address they carry, and refused if that is not public either."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif int(ip) >> 32 == 0 and int(ip) > 1:  # ::a.b.c.d, deprecated IPv4-compatible
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
            return address_refusal(inner) or "an IPv4-compatible IPv6 address (deprecated)"
    if ip.is_loopback:
        return "a loopback address (this machine)"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local:
            return "a site-local address"
        for network, words in _IPV6_TUNNELS.items():
            if ip in network:
                return words
        if ip in _IPV6_DOCUMENTATION:
            return "a documentation address"
    if ip.is_private:
        return "a private network address"
    if ip.is_reserved:
        return "a reserved address"
    if isinstance(ip, ipaddress.IPv6Address) and ip not in _IPV6_GLOBAL_UNICAST:
        return "an address that is not reachable on the public internet"
    if not ip.is_global:
        return "an address that is not reachable on the public internet"
    if isinstance(ip, ipaddress.IPv4Address) and ip == ipaddress.IPv4Address("255.255.255.255"):
        return "a broadcast address"
    return None


# The older name, kept for callers and tests that patch it.
_describe_address = address_refusal


def _split(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of an http(s) URL, or FetchRefused."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise FetchRefused(
            f"'{url[:200]}' is not a valid web address; check it and try again.", url=url
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        shown = f"'{scheme}:'" if scheme else "no scheme"
        raise FetchRefused(
            f"Only http:// and https:// addresses can be fetched ('{url[:200]}' has {shown}).",
            url=url,
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchRefused(f"'{url[:200]}' has no host name; check the address.", url=url)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, host, port or (443 if scheme == "https" else 80), path


def resolve_public_address(host: str, port: int, *, url: str = "") -> str:
    """Resolve a host and check every address it has; return the one to connect to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchConnectionError(
            f"The host name '{host}' could not be found; check the address for typos.", url=url
        ) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchConnectionError(f"The host name '{host}' has no address.", url=url)
    if not settings.FETCH_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            reason = _describe_address(ipaddress.ip_address(address.split("%", 1)[0]))
            if reason:
                raise FetchRefused(
                    f"'{host}' points to {address}, {reason}; links into private or local "
                    "networks are not fetched. Use the page's public address.",
                    url=url,
                )
    return addresses[0]


# --- One request ------------------------------------------------------------------------------


class _Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.start = time.monotonic()

    def left(self) -> float:
        return self.seconds - (time.monotonic() - self.start)

    def timeout(self) -> urllib3.Timeout:
        left = max(0.05, self.left())
        return urllib3.Timeout(connect=left, read=left)

    def elapsed(self) -> float:
        return time.monotonic() - self.start


def _media_type(content_type: str) -> tuple[str, str]:
    media, _, params = (content_type or "").partition(";")
    charset = ""
    match = re.search(r"charset\s*=\s*\"?([A-Za-z0-9._:-]+)", params, re.I)
    if match:
        charset = match.group(1)
    return media.strip().lower(), charset


def _timeout_error(url: str, host: str, seconds: float, **kw) -> FetchTimeout:
    return FetchTimeout(
        f"The site {host} did not answer within {seconds:g} seconds; it may be slow or down. "
        "Try again later.",
        url=url,
        **kw,
    )


def _open(url: str, *, deadline: _Deadline, timeout_seconds: float, user_agent: str):
    """One GET to the checked address; returns (pool, response) with the body not yet read."""
    scheme, host, port, path = _split(url)
    address = resolve_public_address(host, port, url=url)
    default_port = 443 if scheme == "https" else 80
    host_header = host if port == default_port else f"{host}:{port}"
    if ":" in host and not host.startswith("["):  # an IPv6 literal
        host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
    headers = {
        "Host": host_header,
        "User-Agent": user_agent,
        "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
        "Accept-Encoding": urllib3.util.make_headers(accept_encoding=True)["accept-encoding"],
    }
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            maxsize=1,
            retries=False,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, maxsize=1, retries=False)
    try:
        response = pool.urlopen(
            "GET",
            path,
            headers=headers,
            redirect=False,
            retries=False,
            preload_content=False,
            decode_content=True,
            timeout=deadline.timeout(),
            assert_same_host=False,
        )
    except NewConnectionError as exc:  # before TimeoutError: urllib3 makes it a subclass
        pool.close()
        raise FetchConnectionError(
            f"Could not connect to {host} ({_short(exc)}); check the address or try again later.",
            url=url,
        ) from None
    except Urllib3TimeoutError:
        pool.close()
        raise _timeout_error(url, host, timeout_seconds) from None
    except SSLError as exc:
        pool.close()
        raise FetchConnectionError(
            f"A secure connection to {host} could not be made ({_short(exc)}); the site's "
            "certificate may be invalid.",
            url=url,
        ) from None
    except (Urllib3HTTPError, OSError) as exc:
        pool.close()
        raise FetchConnectionError(
            f"Could not connect to {host} ({_short(exc)}); check the address or try again later.",
            url=url,
        ) from None
    return host, pool, response


def _short(exc: Exception) -> str:
    cause = exc.__cause__ or exc
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    text = str(cause) or exc.__class__.__name__
    text = re.sub(r"<urllib3[^>]*>:?\s*", "", text)
    return text[:160]


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    if n >= 1024:
        return f"{n / 1024:g} KB"
    return f"{n} bytes"


def fetch(
    url: str,
    *,
    max_bytes: int | None = None,
    timeout: float | None = None,
    accept: tuple[str, ...] | None = DEFAULT_ACCEPT,
    follow_redirects: bool = True,
    max_redirects: int | None = None,
) -> FetchResult:
    """GET a web page safely. `accept=None` takes any content type.

    With follow_redirects=False a redirect is returned as the result (status 3xx, its Location in
    the headers) rather than followed; the archiver needs that.
    """
    max_bytes = settings.FETCH_MAX_BYTES if max_bytes is None else max_bytes
    timeout = settings.FETCH_TIMEOUT_SECONDS if timeout is None else timeout
    max_redirects = settings.FETCH_MAX_REDIRECTS if max_redirects is None else max_redirects
    deadline = _Deadline(timeout)
    redirects: list[tuple[int, str]] = []
    current = url
    while True:
        if deadline.left() <= 0:  # the redirects alone used up the time
            host = urlsplit(current).hostname or current
            raise _timeout_error(url, host, timeout, final_url=current, redirects=redirects)
        host, pool, response = _open(
            current,
            deadline=deadline,
            timeout_seconds=timeout,
            user_agent=settings.FETCH_USER_AGENT,
        )
        try:
            status = response.status
            location = response.headers.get("Location")
            if follow_redirects and status in _REDIRECT_STATUSES and location:
                target = urljoin(current, location.strip())
                redirects.append((status, target))
                if len(redirects) > max_redirects:
                    raise FetchTooManyRedirects(
                        f"'{url[:200]}' redirected more than {max_redirects} times; "
                        "link to the page it finally shows instead.",
                        url=url,
                        final_url=current,
                        status=status,
                        redirects=redirects,
                    )
                # The next hop is validated (scheme, DNS, addresses) by _open like the first.
                _split(target)
                current = target
                continue
            return _finish(
                url=url,
                final_url=current,
                host=host,
                response=response,
                redirects=redirects,
                deadline=deadline,
                timeout=timeout,
                max_bytes=max_bytes,
                accept=accept,
            )
        finally:
            response.release_conn()
            pool.close()


def _finish(
    *,
    url: str,
    final_url: str,
    host: str,
    response,
    redirects: list[tuple[int, str]],
    deadline: _Deadline,
    timeout: float,
    max_bytes: int,
    accept: tuple[str, ...] | None,
) -> FetchResult:
    status = response.status
    content_type, charset = _media_type(response.headers.get("Content-Type", ""))
    where = {
        "url": url,
        "final_url": final_url,
        "status": status,
        "content_type": content_type,
        "redirects": redirects,
    }
    if status >= 400:
        reason = response.reason or ""
        raise FetchHTTPError(
            f"The site answered {status} {reason}".rstrip() + f" for {final_url[:200]}.", **where
        )
    if accept is not None and content_type and content_type not in accept:
        raise FetchWrongType(
            f"The link points to a {content_type} file, not a web page (accepted: "
            f"{', '.join(accept)}). Link to the page that shows it, or quote it in the note.",
            **where,
        )
    too_large = FetchTooLarge(
        f"The page at {final_url[:200]} is larger than the {_human_size(max_bytes)} limit; "
        "link to a smaller page or to the part you need.",
        **where,
    )
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks, size = [], 0
    try:
        while True:
            if deadline.left() <= 0:
                raise _timeout_error(url, host, timeout, **_without_url(where))
            # read1 returns what has arrived, so the deadline is checked between pieces.
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise too_large
            chunks.append(chunk)
    except Urllib3TimeoutError:
        raise _timeout_error(url, host, timeout, **_without_url(where)) from None
    except (Urllib3HTTPError, OSError) as exc:
        raise FetchConnectionError(
            f"The connection to {host} broke while reading the page ({_short(exc)}); "
            "try again later.",
            **where,
        ) from None
    headers = {k.lower(): v for k, v in response.headers.items()}
    return FetchResult(
        url=url,
        status=status,
        final_url=final_url,
        headers=headers,
        content_type=content_type,
        charset=charset,
        body=b"".join(chunks),
        redirects=redirects,
        elapsed=deadline.elapsed(),
    )


def _without_url(where: dict) -> dict:
    return {k: v for k, v in where.items() if k != "url"}
