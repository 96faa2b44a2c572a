"""Issue 11, item 7: one fetcher, and an address check that lets through only globally routable
unicast addresses.

The ClaimReview importer fetches through claims.fetching (the address it checked is the address
it connects to; an overall deadline; a size cap), and the check refuses 6to4, Teredo and NAT64
wrappings, IPv4-mapped and IPv4-compatible forms, site-local, multicast and reserved ranges."""

import ipaddress
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from claims import fetching
from claims.errors import InvalidInput
from claims.fetching import FetchRefused, address_refusal, fetch
from claims.importers import claimreview
from claims.models import PastFactCheck

REFUSED = [
    # 6to4 (2002::/16) is refused whole, whatever it wraps (RFC 7526 deprecated it).
    ("2002:7f00:1::1", "a 6to4 address"),  # wraps 127.0.0.1
    ("2002:a9fe:a9fe::1", "a 6to4 address"),  # wraps 169.254.169.254
    ("2002:c0a8:1::1", "a 6to4 address"),  # wraps 192.168.0.1
    ("2002:808:808::1", "a 6to4 address"),  # even a public one: the relay is not ours to trust
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "a Teredo address"),
    ("2001::1", "a Teredo address"),
    ("64:ff9b::7f00:1", "a NAT64 address"),  # 127.0.0.1 through a NAT64 gateway
    ("64:ff9b::a9fe:a9fe", "a NAT64 address"),
    ("64:ff9b:1::a00:1", "a NAT64 address"),  # local-use NAT64
    ("::ffff:127.0.0.1", "a loopback address (this machine)"),
    ("::ffff:10.0.0.1", "a private network address"),
    ("::127.0.0.1", "a loopback address (this machine)"),  # IPv4-compatible
    ("::10.0.0.1", "a private network address"),
    ("::8.8.8.8", "an IPv4-compatible IPv6 address (deprecated)"),
    ("fec0::1", "a site-local address"),
    ("feff::1", "a site-local address"),
    ("fe80::1", "a link-local address"),
    ("fc00::1", "a private network address"),
    ("fd12:3456::1", "a private network address"),
    ("ff02::1", "a multicast address"),
    ("ff0e::1", "a multicast address"),
    ("224.0.0.1", "a multicast address"),
    ("239.255.255.250", "a multicast address"),
    ("::1", "a loopback address (this machine)"),
    ("::", "an unspecified address"),
    ("0.0.0.0", "an unspecified address"),  # noqa: S104
    ("127.0.0.2", "a loopback address (this machine)"),
    ("169.254.169.254", "a link-local address"),
    ("10.0.0.1", "a private network address"),
    ("100.64.0.1", "an address that is not reachable on the public internet"),
    ("2001:db8::1", "a private network address"),  # documentation
    ("3fff::1", "a documentation address"),
    ("4000::1", "a reserved address"),
    ("100::1", "a private network address"),  # discard-only
]


@pytest.mark.parametrize(("address", "words"), REFUSED)
def test_the_address_check_refuses_everything_but_global_unicast(address, words):
    assert address_refusal(ipaddress.ip_address(address)).startswith(words)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_unicast_addresses_pass(address):
    assert address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(("address", "words"), REFUSED[:12])
def test_fetch_refuses_a_name_that_resolves_to_a_wrapped_address(
    address, words, settings, monkeypatch
):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = False
    family = socket.AF_INET6 if ":" in address else socket.AF_INET

    def resolve(host, port, *args, **kwargs):
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(FetchRefused) as caught:
        fetch("http://rebind.example/feed.json")
    assert f"'rebind.example' points to {address}, {words}" in str(caught.value)


# --- The importer uses the one fetcher ------------------------------------------------------


class _Server:
    """A local server whose answers a test sets; `slow` trickles a body a byte at a time."""

    def __init__(self):
        self.connections: list[str] = []
        self.finished_slow_body = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                server.connections.append(self.path)
                if self.path == "/slow.json":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/ld+json")
                    self.end_headers()
                    try:
                        for _ in range(60):  # 60 bytes over 30 seconds, each well within a read
                            self.wfile.write(b" ")
                            self.wfile.flush()
                            time.sleep(0.5)
                        server.finished_slow_body.set()
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                body = (
                    b'{"@type": "ClaimReview", "url": "https://x.example/1", "claimReviewed": "c"}'
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    local = _Server()
    yield local
    local.stop()


def import_source(source):
    """What `manage.py import_claimreview SOURCE` does with a URL."""
    return claimreview.import_claimreview(
        document=claimreview.parse_json(claimreview.read_source(source))
    )


def test_importer_connects_to_the_address_it_checked(server, settings, monkeypatch, db):
    """DNS rebinding: the first answer is checked, a second lookup would say loopback. The
    importer resolves once (claims.fetching) and connects to the checked address."""
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = True  # the test server is on loopback
    real = socket.getaddrinfo
    lookups = []

    def resolve(host, *args, **kwargs):
        lookups.append(host)
        return real("127.0.0.1" if host == "feeds.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    result = import_source(f"http://feeds.example:{server.port}/")
    assert result.created == 1
    assert lookups.count("feeds.example") == 1


def test_importer_refuses_private_and_wrapped_addresses(server, settings, monkeypatch, db):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(InvalidInput, match="127.0.0.1, a loopback address"):
        claimreview.fetch_url(f"http://127.0.0.1:{server.port}/")
    for address, words in [
        ("::127.0.0.1", "a loopback address"),
        ("64:ff9b::7f00:1", "a NAT64 address"),
        ("ff02::1", "a multicast address"),
        ("2002:7f00:1::1", "a 6to4 address"),
    ]:
        monkeypatch.setattr(
            socket,
            "getaddrinfo",
            lambda host, port, *a, _addr=address, **k: [
                (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (_addr, port, 0, 0))
            ],
        )
        with pytest.raises(InvalidInput) as caught:
            claimreview.fetch_url(f"http://feeds.example:{server.port}/")
        assert words in caught.value.message
        assert caught.value.message.startswith("Could not fetch the ClaimReview document:")
    assert server.connections == []  # refused before any connection
    assert not PastFactCheck.objects.exists()


def test_importer_has_an_overall_deadline(server, settings, db):
    """A server that sends a byte every half second never trips a read timeout; the overall
    deadline stops the import long before the server has sent its 30 seconds of body."""
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = True
    settings.FETCH_TIMEOUT_SECONDS = 1.5
    with pytest.raises(InvalidInput) as caught:
        import_source(f"http://127.0.0.1:{server.port}/slow.json")
    assert "did not answer within 1.5 seconds" in caught.value.message
    assert not server.finished_slow_body.is_set()
    assert not PastFactCheck.objects.exists()


def test_importer_caps_the_size(server, settings, monkeypatch, db):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = True
    monkeypatch.setattr(claimreview, "MAX_BYTES", 10)
    with pytest.raises(InvalidInput, match="is larger than the 10 bytes limit"):
        claimreview.fetch_url(f"http://127.0.0.1:{server.port}/")


def test_there_is_one_fetcher():
    """The importer has no HTTP client of its own."""
    import inspect

    source = inspect.getsource(claimreview)
    assert "urllib.request" not in source and "socket" not in source
    assert "fetching.fetch(" in source
    assert fetching.fetch.__module__ == "claims.fetching"
