"""Public fact-check pages and feeds: no login, published only, JSON-LD embedded safely."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command

from claims.models import Claim
from tests.exports.data import verdict_claim
from tests.exports.jsonld import expand, nodes_of_type, value

pytestmark = pytest.mark.django_db
HOSTILE = 'He said </script><script>alert("x")</script> & <b>more</b>'


def embedded_json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_published_page_shows_the_fact_check_without_login(client, editor, checker):
    claim = verdict_claim(
        author=checker,
        decider=editor,
        rating_slug="mostly-false",
        summary="Figures say otherwise.",
        rationale="First paragraph.\n\nSecond paragraph.",
        evidence=("https://stats.example.org/a",),
    )
    response = client.get(f"/fact-checks/{claim.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        claim.text,
        "Zamir Kabulov",
        "Mostly false",
        "Figures say otherwise.",
        "<p>Second paragraph.</p>",
        'href="https://stats.example.org/a"',
        "2 on a scale from 1 to 5",
    ):
        assert text in html, text
    review = nodes_of_type(expand(embedded_json_ld(html)), "ClaimReview")[0]
    assert value(review, "claimReviewed") == claim.text
    assert value(value(review, "reviewRating"), "alternateName") == "Mostly false"


@pytest.mark.parametrize("state", [Claim.State.APPROVED, Claim.State.SUBMITTED])
def test_unpublished_claims_are_not_found(client, editor, checker, state):
    claim = verdict_claim(author=checker, decider=editor, state=state)
    assert client.get(f"/fact-checks/{claim.pk}/").status_code == 404
    client.force_login(editor)  # not even for an editor: the public URL is for the public
    assert client.get(f"/fact-checks/{claim.pk}/").status_code == 404
    assert client.get("/fact-checks/999999/").status_code == 404


def test_hostile_text_cannot_break_out_of_the_script_or_the_page(client, editor, checker):
    claim = verdict_claim(
        author=checker, decider=editor, text=HOSTILE, claimant="<img src=x onerror=alert(1)>"
    )
    html = client.get(f"/fact-checks/{claim.pk}/").content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    data = embedded_json_ld(html)
    assert data["claimReviewed"] == HOSTILE  # the JSON still says exactly what was claimed
    assert data["itemReviewed"]["author"]["name"] == "<img src=x onerror=alert(1)>"


def test_list_and_feeds(client, editor, checker):
    published = [verdict_claim(author=checker, decider=editor) for _ in range(2)]
    hidden = verdict_claim(author=checker, decider=editor, state=Claim.State.APPROVED)
    page = client.get("/fact-checks/").content.decode()
    for claim in published:
        assert f'href="/fact-checks/{claim.pk}/"' in page
    assert f"/fact-checks/{hidden.pk}/" not in page

    response = client.get("/fact-checks/feed.jsonld")
    assert response["Content-Type"] == "application/ld+json"
    expanded = expand(json.loads(response.content))
    (feed,) = nodes_of_type(expanded, "DataFeed")
    reviews = nodes_of_type(expanded, "ClaimReview")
    assert sorted(value(r, "claimReviewed") for r in reviews) == sorted(c.text for c in published)
    assert value(feed, "url").endswith("/fact-checks/feed.jsonld")

    response = client.get("/fact-checks/feed.rss")
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 - our own feed
    items = channel.findall("item")
    assert len(items) == 2
    links = sorted(i.findtext("link") for i in items)
    assert links == sorted(f"http://127.0.0.1:8000/fact-checks/{c.pk}/" for c in published)
    assert all(i.findtext("title").startswith("False: ") for i in items)


def test_public_page_query_count_is_constant(
    client, editor, checker, django_assert_max_num_queries
):
    claim = verdict_claim(
        author=checker, decider=editor, evidence=tuple(f"https://e.example/{i}" for i in range(9))
    )
    with django_assert_max_num_queries(7):
        assert client.get(f"/fact-checks/{claim.pk}/").status_code == 200
    for _ in range(20):
        verdict_claim(author=checker, decider=editor)
    with django_assert_max_num_queries(8):
        assert client.get("/fact-checks/").status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get("/fact-checks/feed.jsonld").status_code == 200


def test_seed_demo_publishes_a_page_that_renders(client):
    call_command("seed_demo", verbosity=0)
    claim = Claim.objects.get(state=Claim.State.PUBLISHED)
    response = client.get(f"/fact-checks/{claim.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unverifiable" in html and claim.claimant in html
    assert "presstv.ir" in html
    data = embedded_json_ld(html)
    assert data["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Unverifiable",
        "ratingExplanation": (
            "No public evidence supports this; it rests on the official's word alone."
        ),
    }
