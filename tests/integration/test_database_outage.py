"""PostgreSQL stopped and started under the web app (README "Recovery"), on a PostgreSQL of the
test's own (never the shared server): while it is down the API answers 503 in its error shape
and the dashboard a styled 503 page, promptly (the connect timeout), healthz says which part is
down, and once it is back everything answers again by itself, with no half-written rows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.integration.processes import (
    ROOT,
    RedisServer,
    ThrowawayPostgres,
    database_url,
    free_port,
    require_real_servers,
    wait_until,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def call(base: str, path: str, *, headers=None, data=None, timeout: float = 20):
    """(status, headers, body, seconds) of one request; HTTP errors are answers too."""
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(base + path, data=body, headers=headers or {})
    if body is not None:
        request.add_header("Content-Type", "application/json")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.headers, response.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read(), time.monotonic() - started
    except (urllib.error.URLError, OSError) as error:  # not listening (yet)
        return 0, {}, str(error).encode(), time.monotonic() - started


@pytest.fixture
def postgres():
    require_real_servers("The database outage test")
    why = ThrowawayPostgres.available()
    if why:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"The database outage test needs its own PostgreSQL: {why}.")
        pytest.skip(f"The database outage test needs its own PostgreSQL: {why}.")
    server = ThrowawayPostgres().init()
    server.start()
    yield server
    server.remove()


def test_the_web_app_answers_503_while_postgres_is_down_and_recovers(postgres, tmp_path, editor):
    token = Token.objects.create(user=editor).key
    browser = Client()
    browser.force_login(editor)
    session = browser.cookies["sessionid"].value
    postgres.copy_database(database_url(), "factcheck")  # the editor, the token, the session

    redis = RedisServer(tmp_path).start()
    port = free_port(8790)
    log = open(tmp_path / "web.log", "w")  # noqa: SIM115  (closed below)
    web = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={
            **os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": postgres.url("factcheck"),
            "CELERY_BROKER_URL": redis.url, "REDIS_URL": redis.url.replace("/0", "/1"),
            "DATABASE_CONN_MAX_AGE": "60", "DATABASE_CONNECT_TIMEOUT": "3",
        },
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    api = {"Authorization": f"Token {token}"}
    dashboard = {"Cookie": f"sessionid={session}"}
    try:
        wait_until(
            lambda: call(base, "/healthz", timeout=5)[0] in {200, 503},
            timeout=90,
            what="the web server",
        )
        status, _, body, _ = call(base, "/api/v1/claims/", headers=api)
        assert status == 200, body
        made = call(base, "/api/v1/articles/", headers=api, data={"text": "Exports rose 5%."})
        assert made[0] == 201, made[2]

        postgres.stop()
        status, headers, body, seconds = call(base, "/api/v1/claims/", headers=api)
        assert status == 503, body
        assert json.loads(body) == {
            "detail": "The database is unavailable at the moment; nothing was lost. "
            "Try again in a minute.",
            "code": "service_unavailable",
            "errors": {},
        }
        assert headers["Retry-After"] == "30"
        assert seconds < 15, "the request hung instead of failing fast"
        write = call(base, "/api/v1/articles/", headers=api, data={"text": "Imports fell 2%."})
        assert write[0] == 503 and json.loads(write[2])["code"] == "service_unavailable"
        page = call(base, "/claims/", headers=dashboard)
        assert page[0] == 503
        assert b"Temporarily unavailable" in page[2] and b"css/app.css" in page[2]
        health = call(base, "/healthz")
        assert health[0] == 503
        report = json.loads(health[2])
        assert report["status"] == "unavailable"
        assert report["database"]["ok"] is False and report["broker"]["ok"] is True

        postgres.start()
        back = time.monotonic()
        wait_until(
            lambda: call(base, "/api/v1/claims/", headers=api)[0] == 200,
            timeout=120,
            what="the API to answer again",
        )
        recovered = time.monotonic() - back
        print(f"\nPostgreSQL restarted: the web app answered again after {recovered:.1f} s")
        assert recovered <= 120
        assert call(base, "/claims/", headers=dashboard)[0] == 200
        again = call(base, "/api/v1/articles/", headers=api, data={"text": "Imports fell 2%."})
        assert again[0] == 201, again[2]
        health = json.loads(call(base, "/healthz")[2])
        assert health["database"] == {"ok": True} and health["broker"] == {"ok": True}
        # No half-written rows: the two articles that were accepted, each with its job.
        rows = subprocess.run(
            ["psql", postgres.url("factcheck"), "-tA", "-c",
             "SELECT count(*) FROM claims_article; "
             "SELECT count(*) FROM jobs_job WHERE task = 'claims.extract_claims'"],
            check=True, capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        assert rows == ["2", "2"]
    finally:
        web.terminate()
        web.wait(timeout=30)
        log.close()
        redis.stop()
