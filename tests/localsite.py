"""A local web site for outbound-HTTP tests: http.server in a thread on 127.0.0.1.

Pages are set per path and can be changed between requests, so a test can make a page move,
change, break or hang. Nothing here reaches the internet.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    drip: float = 0.0  # seconds between 1 KB pieces of the body
    declare_length: bool = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


class LocalSite:
    def __init__(self):
        self.pages: dict[str, Page] = {}
        # Path prefix -> a function of the full path that makes the page (for fake services).
        self.handlers: dict[str, Callable[[str], Page]] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.stop_event = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _serve(self):
                site.requests.append(
                    (self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
                )
                page = site.pages.get(self.path)
                for prefix, make_page in site.handlers.items():
                    if page is None and self.path.startswith(prefix):
                        page = make_page(self.path)
                if page is None:
                    page = Page(status=404, body=b"<html><title>Not found</title></html>")
                if page.delay:
                    site.stop_event.wait(page.delay)
                try:
                    self.send_response(page.status)
                    if page.content_type:
                        self.send_header("Content-Type", page.content_type)
                    if page.declare_length:
                        self.send_header("Content-Length", str(len(page.body)))
                    for name, value in page.headers.items():
                        self.send_header(name, value.replace("{base}", site.base))
                    self.end_headers()
                    if self.command == "HEAD":
                        return
                    if page.drip:
                        for i in range(0, len(page.body), 1024):
                            self.wfile.write(page.body[i : i + 1024])
                            self.wfile.flush()
                            if site.stop_event.wait(page.drip):
                                return
                    else:
                        self.wfile.write(page.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = _serve
            do_POST = _serve
            do_HEAD = _serve

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def html(self, path: str, title: str, text: str, **kw) -> str:
        body = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><article><h1>{title}</h1>"
            + "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
            + "</article></body></html>"
        ).encode()
        self.pages[path] = Page(body=body, **kw)
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        self.pages[path] = Page(status=status, body=b"", headers={"Location": to})
        return self.url(path)

    def start(self) -> LocalSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        time.sleep(0)
