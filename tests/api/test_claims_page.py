"""The claims list's common request (claims/api/claims_page.py) answers exactly what the full
path (the filters, then the paginator) answers, in the same queries; everything else takes the
full path."""

import base64
import json
from datetime import timedelta

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims import workflow
from claims.api import claims_page
from claims.api.pagination import ClaimCursorPagination
from claims.models import Claim, Topic
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db
S = Claim.State


@pytest.fixture
def desk(editor, checker):
    economy = Topic.objects.get_or_create(slug="economy", defaults={"name": "Economy"})[0]
    health = Topic.objects.get_or_create(slug="health", defaults={"name": "Health"})[0]
    article = ArticleFactory(publisher="Outlet")
    now = timezone.now()
    for n in range(17):
        claim = ClaimFactory(
            article=article,
            score=round(0.3 + (n % 7) / 10, 2),
            priority=["low", "normal", "high", "urgent"][n % 4],
            created_at=now - timedelta(hours=n % 5),  # ties on purpose
            due_at=None if n % 3 else now + timedelta(days=n % 4),
        )
        if n % 2 == 0:
            claim.topics.add(economy)
        if n % 3 == 0:
            claim.topics.add(health)
    for claim in Claim.objects.order_by("pk")[:3]:
        workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=editor)


def _get(client, url: str, *, full: bool, monkeypatch):
    """The response and the SQL of each query, through the common path or the full one."""
    with monkeypatch.context() as patch:
        if full:
            patch.setattr(claims_page, "plain_request", lambda params, paginator: None)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
    return response, [query["sql"] for query in queries.captured_queries]


def _walk(client, url: str, *, full: bool, monkeypatch) -> list:
    """Each page's status, body and number of queries, following `next`, then `previous`
    back from the last page."""
    pages, seen = [], set()
    for link in ("next", "previous"):
        while url and (url, link) not in seen:
            seen.add((url, link))
            response, queries = _get(client, url, full=full, monkeypatch=monkeypatch)
            body = response.json()
            pages.append((response.status_code, body, len(queries)))
            if response.status_code != 200 or not body.get(link):
                break
            url = body[link]
        url = pages[-1][1].get("previous") if pages[-1][0] == 200 else None
    return pages


@pytest.mark.parametrize("ordering", [*ClaimCursorPagination.SORT_KEYS, None])
@pytest.mark.parametrize("descending", [True, False])
def test_every_order_pages_as_the_full_path_does(
    as_editor, desk, ordering, descending, monkeypatch
):
    query = "page_size=4&state=open&state=assigned&topic=economy&topic=health&topic=economy"
    if ordering:
        query += f"&ordering={'-' if descending else ''}{ordering}"
    url = f"/api/v1/claims/?{query}"
    common = _walk(as_editor, url, full=False, monkeypatch=monkeypatch)
    full = _walk(as_editor, url, full=True, monkeypatch=monkeypatch)
    assert common == full
    assert len(common) > 2
    assert all(status == 200 for status, _, _ in common)
    if connection.vendor == "postgresql":  # the token check and the page
        assert all(queries == 2 for _, _, queries in common)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "state=open",
        "topic=economy",
        "topic=health&state=assigned&ordering=score&page_size=200",
        "topic=sport",  # no such topic: refused, after an empty page
        "topic=economy&topic=sport",
        "state=dismissed",  # no row
    ],
)
def test_the_common_request_answers_as_the_full_path(as_editor, desk, query, monkeypatch):
    url = f"/api/v1/claims/?{query}"
    common, common_sql = _get(as_editor, url, full=False, monkeypatch=monkeypatch)
    full, full_sql = _get(as_editor, url, full=True, monkeypatch=monkeypatch)
    assert common.status_code == full.status_code
    assert common.json() == full.json()
    assert len(common_sql) == len(full_sql)


def _cursor(value, pk=1, backwards=False) -> str:
    raw = json.dumps({"v": value, "id": pk, "b": backwards}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "query",
    [
        "q=minister",
        "priority=high",
        "state=open&rating=false",
        "state=nonsense",
        "state=",
        "topic=",
        "topic=a%00b",
        "ordering=-created&ordering=score",
        "ordering=created,score",
        "ordering=nonsense",
        "ordering=",
        "page_size=0",
        "page_size=201",
        "page_size=5&page_size=6",
        "page_size=%EF%BC%95",  # a full-width digit
        "cursor=",
        "cursor=garbled",
        f"cursor={_cursor('2026-01-01T00:00:00')}",  # a time without its offset
        f"ordering=score&cursor={_cursor('nan')}",
        f"ordering=id&cursor={_cursor(10**30)}",
        "format=json",
    ],
)
def test_other_requests_take_the_full_path(query):
    assert claims_page.plain_request(QueryDict(query), ClaimCursorPagination()) is None


def test_a_plain_request_is_read_as_the_paginator_reads_it():
    when = "2026-01-01T00:00:00+00:00"
    params = QueryDict(
        f"state=open&state=assigned&state=open&topic=b&topic=a&ordering=due&page_size=7"
        f"&cursor={_cursor(when, pk=9, backwards=True)}"
    )
    plain = claims_page.plain_request(params, ClaimCursorPagination())
    assert plain.states == ("assigned", "open")
    assert plain.topics == ("a", "b")
    assert (plain.sort, plain.descending, plain.page_size) == ("due", False, 7)
    assert plain.cursor[0].isoformat() == when
    assert plain.cursor[1:] == (9, True)
    default = claims_page.plain_request(QueryDict(""), ClaimCursorPagination())
    assert (default.sort, default.descending, default.page_size) == ("created", True, 50)
    assert (default.states, default.topics, default.cursor) == ((), (), None)


@pytest.mark.parametrize("sort", ClaimCursorPagination.SORT_KEYS)
@pytest.mark.parametrize("cursor", [False, True])
def test_each_shape_is_compiled_once(as_editor, desk, sort, cursor):
    """The statement of a shape is built once: the parameters of the request fill it in (on
    PostgreSQL every shape is templated; SQLite binds its times as text)."""
    url = f"/api/v1/claims/?ordering=-{sort}&state=open&topic=economy&page_size=2"
    if cursor:
        url = as_editor.get(url).json()["next"]
    claims_page._template.cache_clear()
    first = as_editor.get(url)
    again = as_editor.get(url)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    info = claims_page._template.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    if connection.vendor == "postgresql":
        assert claims_page._template(connections[DEFAULT_DB_ALIAS], _shape(url)) is not None


def _shape(url: str) -> tuple:
    params = QueryDict(url.split("?", 1)[1])
    return claims_page.plain_request(params, ClaimCursorPagination()).shape
