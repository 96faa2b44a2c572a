"""A very long article's page shows its sentences a page at a time: its cost does not grow
with the article (issue 15, item 1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import selectors
from claims.models import Claim
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def long_article(sentences: int):
    sentence = "The minister said unemployment fell to 4.1% last year. "
    article = ArticleFactory(body=sentence * sentences)
    Claim.objects.bulk_create(
        Claim(
            article=article,
            text=f"Sentence {n}: the minister said unemployment fell.",
            position=n,
            start_offset=n * len(sentence),
            end_offset=(n + 1) * len(sentence) - 1,
            score=0.8 if n % 2 else 0.2,
            state=Claim.State.OPEN if n % 2 else Claim.State.CANDIDATE,
        )
        for n in range(sentences)
    )
    return article


def render(client, article, page=None):
    url = f"/articles/{article.pk}/" + (f"?page={page}" if page else "")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_long_article_renders_one_page_of_sentences(client, editor):
    client.force_login(editor)
    short = long_article(30)
    _, few = render(client, short)
    article = long_article(3800)
    html, many = render(client, article)
    per_page = selectors.ARTICLE_SENTENCES_PER_PAGE
    assert html.count('name="claims"') == per_page
    assert "(3800: 1900 open, 1900 candidates)" in html
    assert f"Sentences 1–{per_page} of 3800." in html
    assert "Page 1 of 38" in html
    assert many == few, "the page costs the same queries for 30 sentences or 3,800"
    assert len(html) < 400_000, "the page carries one page of sentences and of text"
    last, _ = render(client, article, page=38)
    assert "Sentence 3799:" in last and "Sentence 3699:" not in last


def test_triage_from_a_later_page_returns_to_it(client, editor):
    client.force_login(editor)
    article = long_article(250)
    claim = Claim.objects.get(article=article, position=201)
    response = client.post(
        f"/articles/{article.pk}/triage/",
        {
            "action": "dismiss",
            "reason": "opinion",
            "claims": [claim.pk],
            f"v_{claim.pk}": claim.version,
            "page": "3",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?page=3#sentences")
    claim.refresh_from_db()
    assert claim.state == Claim.State.DISMISSED


def test_claims_list_counts_at_most_its_cap(client, editor, monkeypatch):
    from claims.views import lists

    monkeypatch.setattr(lists, "COUNT_CAP", 60)
    long_article(130)
    client.force_login(editor)
    html = client.get("/claims/").content.decode()
    assert "Page 1 of 2+" in html  # 61 counted of 130: two pages and more
    html = client.get("/claims/?page=2").content.decode()
    assert "Page 2 of 2+" in html


def test_approvals_show_a_page_of_the_queue_at_a_time(client, editor, checker, monkeypatch):
    from claims.views import lists
    from tests.exports.data import verdict_claim

    monkeypatch.setattr(lists, "APPROVALS_PAGE_SIZE", 2)
    for _ in range(5):
        verdict_claim(author=checker, decider=editor, state=Claim.State.SUBMITTED)
    client.force_login(editor)
    with CaptureQueriesContext(connection) as first:
        html = client.get("/approvals/").content.decode()
    assert "(5 waiting)" in html and "Page 1 of 3" in html
    assert html.count('name="claim"') == 2
    with CaptureQueriesContext(connection) as last:
        html = client.get("/approvals/?page=3").content.decode()
    assert html.count('name="claim"') == 1
    assert len(last) <= len(first)
