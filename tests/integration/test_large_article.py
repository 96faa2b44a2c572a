"""The large-article flow against the production processes, with the web process's memory measured.

`make serve`'s way (honcho runs the Procfile: gunicorn with factcheck/gunicorn.conf.py, a Celery
worker and beat, debug off) serves a ~480,000-character, ~4,000-sentence article pasted through the
API, while a "browser" polls its progress fragment the way the article page does (htmx, every
second; here faster) and then keeps the page open. The gunicorn master and its workers are read
from /proc at every poll.

The stated bound (README "Deploying"): each web worker stays under WEB_WORKER_MAX_RSS_MB (512 MB
by default; gunicorn replaces a worker that passes it), a handful of threads per process, and the
memory does not keep growing once the polling stops. Before this, a 480k-character article on the
development server grew the web process to ~10 GB and 308 threads.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from claims.api.tokens import token_create
from claims.models import Article, Claim
from tests.factories import editor as make_editor

from .stack import (
    ROOT,
    children,
    database_url,
    free_port,
    process_memory,
    production_env,
    wait_for_file,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

WORKERS = 2
MAX_RSS_MB = 512
MB = 1024 * 1024
SEED = (ROOT / "claims" / "data" / "seed-article.txt").read_text(encoding="utf-8")


def large_article(chars: int = 480_000) -> str:
    """The demo article again and again, each copy with its own numbers and a line of its own, so
    that every sentence is a sentence (no two copies the same, no boilerplate folding)."""
    parts, n = [], 0
    while sum(map(len, parts)) < chars:
        n += 1
        copy = SEED.replace("2021", str(1900 + n % 120)).replace("Afghanistan", f"Region {n}")
        parts.append(
            f"Dispatch {n}. The ministry reported {n * 7} incidents in week {n}. "
            f"Officials counted {n * 3 + 11} convoys.\n\n"
        )
        parts.append(copy + "\n\n")
    return "".join(parts)[:chars].rsplit(".", 1)[0] + "."


class Stack:
    """honcho running the Procfile in a process group of its own, logs in a file."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.pidfile = tmp_path / "web.pid"
        self.log_path = tmp_path / "honcho.log"
        self.queue = f"large-article-{uuid.uuid4().hex[:8]}"
        self.env = production_env(
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=database_url(),
            CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
            REDIS_URL=settings.REDIS_URL,
            CELERY_TASK_DEFAULT_QUEUE=self.queue,
            FACTCHECK_VAR_DIR=str(tmp_path / "var"),
            HOST="127.0.0.1",
            WEB_CONCURRENCY=str(WORKERS),
            WEB_WORKER_MAX_RSS_MB=str(MAX_RSS_MB),
            GUNICORN_PIDFILE=str(self.pidfile),
            CELERY_CONCURRENCY="1",
        )
        if settings.CELERY_BROKER_URL.startswith("filesystem"):
            # The filesystem broker's folders follow FACTCHECK_VAR_DIR in every process.
            self.env["CELERY_BROKER_URL"] = "filesystem://localhost/"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.log = open(self.log_path, "w")  # noqa: SIM115  (closed in stop)
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "honcho"), "start", "-f", "Procfile",
             "-p", str(self.port)],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.master = int(wait_for_file(self.pidfile, timeout=90))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"gunicorn never answered.\n{self.log_tail()}")

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):  # anything honcho left in its group
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()
        return self.proc.returncode

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def request(self, method: str, path: str, *, body=None, headers=None) -> tuple[int, bytes]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=body,
            method=method,
            headers={"X-Forwarded-Proto": "https", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def get(self, path: str, **headers) -> tuple[int, bytes]:
        return self.request("GET", path, headers=headers)

    def web_processes(self) -> dict[int, tuple[int, int]]:
        """pid -> (rss, threads) for the gunicorn master and each of its workers."""
        found = {}
        for pid in [self.master, *children(self.master)]:
            try:
                found[pid] = process_memory(pid)
            except OSError:
                continue  # a worker replaced between the listing and the reading
        return found


@pytest.fixture
def stack(tmp_path):
    running = Stack(tmp_path)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def test_large_article_keeps_the_web_process_bounded(stack):
    text = large_article()
    assert 470_000 <= len(text) <= settings.ARTICLE_MAX_CHARS
    editor = make_editor("large-editor")
    token = token_create(user=editor).key
    with override_settings(SECRET_KEY=stack.env["DJANGO_SECRET_KEY"]):
        browser = Client()
        browser.force_login(editor)
        session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}

    samples: list[dict[int, tuple[int, int]]] = [stack.web_processes()]
    status, body = stack.request(
        "POST",
        "/api/v1/articles/",
        body=json.dumps({"text": text, "title": "A very long article"}).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    assert status == 201, body[:500]
    article_id = json.loads(body)["id"]
    samples.append(stack.web_processes())

    # The article page's poller: the progress fragment until extraction is done.
    polls = 0
    # Scoring ~4,000 sentences takes seconds on idle cores; far longer on a shared, loaded machine.
    deadline = time.monotonic() + 540
    while True:
        status, fragment = stack.get(f"/articles/{article_id}/status/", **cookie, **{
            "HX-Request": "true"
        })  # fmt: skip
        # 286 is htmx's "stop polling": the fragment's last answer, once the work is done.
        assert status in {200, 286}, fragment[:500]
        polls += 1
        if status == 286:
            assert b"Done." in fragment
            break
        samples.append(stack.web_processes())
        article = Article.objects.get(pk=article_id)
        if article.status in {Article.Status.READY, Article.Status.FAILED}:
            break
        assert time.monotonic() < deadline, f"extraction never finished.\n{stack.log_tail()}"
        time.sleep(0.25)
    article = Article.objects.get(pk=article_id)
    assert article.status == Article.Status.READY, article.status_detail
    claims = Claim.objects.filter(article_id=article_id).count()
    assert claims > 2_500

    # The page left open: it is loaded, and its poller (and the API's claims list) asked again.
    for _ in range(3):
        status, page = stack.get(f"/articles/{article_id}/", **cookie)
        assert status == 200, page[:500]
        samples.append(stack.web_processes())
    for _ in range(60):
        status, _fragment = stack.get(f"/articles/{article_id}/status/", **cookie)
        assert status == 200
        status, listing = stack.request(
            "GET",
            f"/api/v1/claims/?article={article_id}",
            headers={"Authorization": f"Token {token}"},
        )
        assert status == 200, listing[:500]
        samples.append(stack.web_processes())
    # The browser is closed: nothing goes on growing.
    time.sleep(3)
    after = stack.web_processes()

    peak_rss = {}
    peak_threads = 0
    for sample in samples:
        for pid, (rss, threads) in sample.items():
            peak_rss[pid] = max(peak_rss.get(pid, 0), rss)
            peak_threads = max(peak_threads, threads)
    total_peak = max(sum(rss for rss, _ in sample.values()) for sample in samples)
    print(
        f"\n{len(text):,} characters, {claims:,} claims, {polls} progress polls; web process "
        f"(master + {WORKERS} workers): peak {total_peak / MB:.0f} MB in all, each "
        + ", ".join(f"{rss / MB:.0f}" for rss in peak_rss.values())
        + f" MB at most; peak threads {peak_threads}; after: "
        f"{sum(rss for rss, _ in after.values()) / MB:.0f} MB"
    )
    assert max(peak_rss.values()) < MAX_RSS_MB * MB, stack.log_tail()
    assert total_peak < (WORKERS * MAX_RSS_MB + 100) * MB
    assert peak_threads <= 4, "sync workers answer one request at a time, with no thread per poll"
    assert len(after) == WORKERS + 1
    assert sum(rss for rss, _ in after.values()) <= total_peak
