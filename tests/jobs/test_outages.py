"""The web app during outages (factcheck/middleware.py, factcheck/cache.py, healthz). The real
thing, PostgreSQL stopped under a web server: tests/integration/test_database_outage.py."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings

from jobs import workers
from tests.api.conftest import client_for
from tests.integration.processes import free_port

pytestmark = pytest.mark.django_db
DOWN = OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def dead_redis_cache():
    return {
        "default": {
            "BACKEND": "factcheck.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port(6490)}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_the_cache_fails_open_when_redis_is_down():
    from django.core.cache import cache

    with override_settings(CACHES=dead_redis_cache()):
        assert cache.get("k", "fallback") == "fallback"
        cache.set("k", 1)  # dropped, not raised
        assert cache.get_many(["a", "b"]) == {}
        assert cache.add("k", 1) is False


def test_articles_can_be_filed_through_the_api_with_redis_down(editor, settings):
    """The ingestion throttle counts in the cache: with Redis down it lets the request through."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "ingestion": "1/hour",
        },
    }
    client = client_for(editor)
    with override_settings(CACHES=dead_redis_cache()):
        for n in range(3):
            made = client.post("/api/v1/articles/", {"text": f"Exports rose {n}%."}, format="json")
            assert made.status_code == 201, made.content


def test_the_api_answers_503_in_its_error_shape_when_the_database_is_down(editor):
    client = client_for(editor)
    with mock.patch("claims.api.views.claims.ClaimViewSet.list", side_effect=DOWN):
        response = client.get("/api/v1/claims/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "detail": "The database is unavailable at the moment; nothing was lost. "
        "Try again in a minute.",
        "code": "service_unavailable",
        "errors": {},
    }


def test_the_dashboard_shows_a_styled_503_page_when_the_database_is_down(client, checker):
    client.force_login(checker)
    with mock.patch("claims.views.queue.selectors.queue_for", side_effect=DOWN):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Temporarily unavailable" in page and "css/app.css" in page
    assert "nothing was lost" in page


def test_healthz_reports_each_dependency(client):
    report = client.get("/healthz").json()
    assert report["database"] == {"ok": True}
    assert report["broker"] == {"ok": True}
    assert report["workers"] == {"ok": False, "alive": 0, "names": []}
    assert report["status"] == "degraded"
    workers.beat("celery@host1")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["workers"] == {"ok": True, "alive": 1, "names": ["celery@host1"]}


def test_healthz_answers_503_when_the_database_is_down(client):
    with mock.patch("claims.views.health.connection.cursor", side_effect=DOWN):
        response = client.get("/healthz")
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "unavailable" and report["database"]["ok"] is False
    assert "Connection refused" in report["database"]["error"]
