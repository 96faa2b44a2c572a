"""claims.fetching against a local web server: every outcome, and every guard."""

import gzip
import socket

import pytest

from claims import fetching
from claims.fetching import (
    FetchConnectionError,
    FetchError,
    FetchHTTPError,
    FetchRefused,
    FetchTimeout,
    FetchTooLarge,
    FetchTooManyRedirects,
    FetchWrongType,
    fetch,
)
from tests.localsite import Page


def test_ok_page(site, settings):
    url = site.html("/report", "Exports report", "Exports rose 12% in 2025.")
    result = fetch(url)
    assert result.status == 200
    assert result.final_url == url and result.redirects == [] and not result.was_redirected
    assert result.content_type == "text/html" and result.charset == "utf-8"
    assert b"Exports rose 12% in 2025." in result.body
    assert "Exports rose 12% in 2025." in result.text
    assert result.headers["content-type"] == "text/html; charset=utf-8"
    method, path, headers = site.requests[-1]
    assert (method, path) == ("GET", "/report")
    assert headers["user-agent"] == settings.FETCH_USER_AGENT
    assert headers["host"] == f"127.0.0.1:{site.port}"


def test_plain_text_and_declared_charset(site):
    site.pages["/latin"] = Page(
        body="Déclaration du ministère".encode("latin-1"),
        content_type="text/plain; charset=ISO-8859-1",
    )
    result = fetch(site.url("/latin"))
    assert result.content_type == "text/plain" and result.charset == "ISO-8859-1"
    assert result.text == "Déclaration du ministère"


def test_redirect_chain_is_followed_and_recorded(site):
    final = site.html("/c", "Final", "Here at last.")
    site.redirect("/a", "/b", status=301)  # relative Location
    site.redirect("/b", final, status=302)
    result = fetch(site.url("/a"))
    assert result.status == 200 and result.final_url == final
    assert result.redirects == [(301, site.url("/b")), (302, final)]
    assert [path for _, path, _ in site.requests] == ["/a", "/b", "/c"]


def test_too_many_redirects(site, settings):
    settings.FETCH_MAX_REDIRECTS = 3
    for i in range(5):
        site.redirect(f"/hop{i}", f"/hop{i + 1}")
    site.html("/hop5", "End", "end")
    with pytest.raises(FetchTooManyRedirects) as caught:
        fetch(site.url("/hop0"))
    assert str(caught.value) == (
        f"'{site.url('/hop0')}' redirected more than 3 times; "
        "link to the page it finally shows instead."
    )
    assert len(caught.value.redirects) == 4
    assert [path for _, path, _ in site.requests] == ["/hop0", "/hop1", "/hop2", "/hop3"]
    # Three hops are within the limit.
    assert fetch(site.url("/hop2")).final_url == site.url("/hop5")


@pytest.mark.parametrize(("status", "words"), [(404, "Not Found"), (410, "Gone"), (503, "")])
def test_error_status(site, status, words):
    site.pages["/page"] = Page(status=status, body=b"<html>nope</html>")
    with pytest.raises(FetchHTTPError) as caught:
        fetch(site.url("/page"))
    assert caught.value.status == status
    assert str(caught.value).startswith(f"The site answered {status} {words}".rstrip())
    assert str(caught.value).endswith(f" for {site.url('/page')}.")


def test_error_status_after_a_redirect_keeps_the_final_address(site):
    site.pages["/gone"] = Page(status=410, body=b"")
    site.redirect("/old", "/gone", status=301)
    with pytest.raises(FetchHTTPError) as caught:
        fetch(site.url("/old"))
    assert caught.value.status == 410
    assert caught.value.final_url == site.url("/gone")
    assert caught.value.redirects == [(301, site.url("/gone"))]


def test_timeout_before_the_answer(site, settings):
    settings.FETCH_TIMEOUT_SECONDS = 0.3
    site.pages["/slow"] = Page(body=b"<html>late</html>", delay=3)
    with pytest.raises(FetchTimeout) as caught:
        fetch(site.url("/slow"))
    assert str(caught.value) == (
        "The site 127.0.0.1 did not answer within 0.3 seconds; it may be slow or down. "
        "Try again later."
    )


def test_overall_deadline_stops_a_trickling_page(site):
    # Each piece arrives well within the read timeout; the whole page does not.
    site.pages["/drip"] = Page(body=b"x" * 20 * 1024, drip=0.1)
    with pytest.raises(FetchTimeout):
        fetch(site.url("/drip"), timeout=0.5)


def test_oversize_by_declared_length(site):
    site.pages["/big"] = Page(body=b"a" * 5000)
    with pytest.raises(FetchTooLarge) as caught:
        fetch(site.url("/big"), max_bytes=4096)
    assert str(caught.value) == (
        f"The page at {site.url('/big')} is larger than the 4 KB limit; "
        "link to a smaller page or to the part you need."
    )


def test_oversize_without_declared_length(site):
    site.pages["/big"] = Page(body=b"a" * 300_000, declare_length=False)
    with pytest.raises(FetchTooLarge):
        fetch(site.url("/big"), max_bytes=100_000)
    site.pages["/small"] = Page(body=b"a" * 1000, declare_length=False)
    assert len(fetch(site.url("/small"), max_bytes=100_000).body) == 1000


def test_size_cap_counts_the_decompressed_body(site):
    bomb = gzip.compress(b"0" * 2_000_000)
    assert len(bomb) < 10_000
    site.pages["/bomb"] = Page(body=bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchTooLarge):
        fetch(site.url("/bomb"), max_bytes=100_000)


def test_wrong_content_type(site):
    site.pages["/report.pdf"] = Page(body=b"%PDF-1.7", content_type="application/pdf")
    with pytest.raises(FetchWrongType) as caught:
        fetch(site.url("/report.pdf"))
    assert caught.value.content_type == "application/pdf" and caught.value.status == 200
    assert str(caught.value).startswith("The link points to a application/pdf file, not a web page")
    # Asked for anything, the same file comes back.
    assert fetch(site.url("/report.pdf"), accept=None).body == b"%PDF-1.7"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://example.org/file.txt", "Only http:// and https:// addresses can be fetched"),
        ("file:///etc/passwd", "Only http:// and https:// addresses can be fetched"),
        ("javascript:alert(1)", "Only http:// and https:// addresses can be fetched"),
        ("example.org/page", "has no scheme"),
        ("http://", "has no host name"),
        ("http://example.org:99999/", "is not a valid web address"),
    ],
)
def test_non_http_addresses_are_refused(url, words):
    with pytest.raises(FetchRefused, match=words):
        fetch(url)


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("127.0.0.1", "a loopback address (this machine)"),
        ("[::1]", "a loopback address (this machine)"),
        ("[::ffff:127.0.0.1]", "a loopback address (this machine)"),
        ("10.1.2.3", "a private network address"),
        ("192.168.0.10", "a private network address"),
        ("169.254.169.254", "a link-local address"),
        ("0.0.0.0", "an unspecified address"),  # noqa: S104
        ("224.0.0.1", "a multicast address"),
        ("100.64.0.1", "an address that is not reachable on the public internet"),
    ],
)
def test_private_addresses_are_refused(address, words, settings, site):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(FetchRefused) as caught:
        fetch(f"http://{address}:{site.port}/")
    assert words in str(caught.value)
    assert "links into private or local networks are not fetched" in str(caught.value)
    assert site.requests == []  # refused before any connection


def test_a_name_that_resolves_to_loopback_is_refused(settings, site):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = False
    site.html("/", "Home", "home")
    with pytest.raises(FetchRefused, match="'localhost' points to"):
        fetch(f"http://localhost:{site.port}/")
    assert site.requests == []


def test_redirect_to_a_private_address_is_refused(settings, site, monkeypatch):
    # Treat the test server's own address as public, and nothing else.
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = False
    real = fetching._describe_address
    monkeypatch.setattr(
        fetching, "_describe_address", lambda ip: None if str(ip) == "127.0.0.1" else real(ip)
    )
    site.html("/fine", "Fine", "public page")
    assert fetch(site.url("/fine")).status == 200
    site.redirect("/jump", "http://169.254.169.254/latest/meta-data/")
    with pytest.raises(FetchRefused, match="'169.254.169.254' points to 169.254.169.254, a link"):
        fetch(site.url("/jump"))


def test_redirect_to_a_non_http_scheme_is_refused(site):
    site.redirect("/jump", "file:///etc/passwd")
    with pytest.raises(FetchRefused, match="Only http:// and https://"):
        fetch(site.url("/jump"))


def test_connects_to_the_address_it_checked(site, monkeypatch):
    """The name is resolved once, by us; the connection goes to that address (no rebinding)."""
    site.html("/page", "Page", "text")
    real = socket.getaddrinfo
    lookups = []

    def fake_getaddrinfo(host, *args, **kwargs):
        lookups.append(host)
        if host == "evidence.test":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    result = fetch(f"http://evidence.test:{site.port}/page")
    assert result.status == 200
    assert lookups.count("evidence.test") == 1
    assert site.requests[-1][2]["host"] == f"evidence.test:{site.port}"


def test_unknown_host_and_refused_connection(site, monkeypatch):
    def no_such_host(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(FetchConnectionError, match="Could not connect to 127.0.0.1"):
        fetch(f"http://127.0.0.1:{port}/")
    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(FetchConnectionError) as caught:
        fetch("http://no-such-host.invalid/")
    assert str(caught.value) == (
        "The host name 'no-such-host.invalid' could not be found; check the address for typos."
    )


def test_every_error_is_a_fetch_error():
    for cls in (
        FetchRefused,
        FetchTooLarge,
        FetchTimeout,
        FetchWrongType,
        FetchHTTPError,
        FetchTooManyRedirects,
        FetchConnectionError,
    ):
        assert issubclass(cls, FetchError)


@pytest.fixture
def tls_site(tmp_path, monkeypatch, settings):
    """A local HTTPS server whose certificate (for evidence.test) a test CA signed."""
    import shutil
    import ssl
    import subprocess
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    if not shutil.which("openssl"):
        pytest.skip("needs the openssl command to make a test certificate")
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = True

    def run(*args):
        subprocess.run(["openssl", *args], cwd=tmp_path, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=keyCertSign")  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr",
        "-subj", "/CN=evidence.test")  # fmt: skip
    (tmp_path / "ext").write_text("subjectAltName=DNS:evidence.test\n")
    run("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "srv.pem", "-days", "2", "-extfile", "ext")  # fmt: skip

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = b"<html><title>Secure</title><p>over TLS</p></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "srv.pem", tmp_path / "srv.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    real = socket.getaddrinfo
    names = {"evidence.test", "impostor.test"}
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, *a, **k: real("127.0.0.1" if host in names else host, *a, **k),
    )
    yield server.server_address[1], tmp_path / "ca.pem"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_https_checks_the_certificate_against_the_host_name(tls_site, monkeypatch):
    port, ca = tls_site
    # Not trusted: the test CA is unknown to the system.
    with pytest.raises(FetchConnectionError, match="certificate may be invalid"):
        fetch(f"https://evidence.test:{port}/")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    result = fetch(f"https://evidence.test:{port}/")  # SNI and hostname check use the name
    assert result.status == 200 and b"over TLS" in result.body
    with pytest.raises(FetchConnectionError, match="doesn't match 'evidence.test'"):
        fetch(f"https://impostor.test:{port}/")


def test_overall_deadline_covers_a_slow_redirect_chain(site):
    # Each hop answers in time; together they do not.
    for i in range(4):
        site.pages[f"/slow{i}"] = Page(status=302, headers={"Location": f"/slow{i + 1}"}, delay=0.2)
    site.html("/slow4", "End", "end")
    with pytest.raises(FetchTimeout):
        fetch(site.url("/slow0"), timeout=0.5)
    assert len(site.requests) < 5
