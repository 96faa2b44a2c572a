"""ClaimReview JSON-LD: every required and recommended property, read by a JSON-LD processor."""

import json

import pytest
from django.test import override_settings

from claims.exports import selectors, services
from claims.exports.formats import claimreview
from claims.models import Claim, Rating
from tests.exports.data import verdict_claim
from tests.exports.jsonld import LOADED, expand, nodes_of_type, value, values
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
ORG = {"name": "Test Desk", "url": "https://desk.example.org/"}


def export_document(**filters) -> dict:
    queryset = selectors.export_queryset(user=None, filters=filters)
    text = "".join(services.text_chunks("claimreview", queryset))
    return json.loads(text)


def review_for(document: dict, claim: Claim) -> dict:
    """The expanded ClaimReview node of one claim."""
    expanded = expand(document)
    reviews = nodes_of_type(expanded, "ClaimReview")
    url = selectors.public_url(claim.pk)
    matching = [r for r in reviews if value(r, "url") == url]
    assert len(matching) == 1, [value(r, "url") for r in reviews]
    return matching[0]


@override_settings(FACTCHECK_ORGANISATION=ORG, SITE_URL="https://desk.example.org")
def test_ordinal_rating_has_every_required_and_recommended_property(editor, checker):
    claim = verdict_claim(
        author=checker,
        decider=editor,
        rating_slug="mostly-false",
        evidence=("https://a.example.org/1", "https://b.example.org/2"),
    )
    LOADED.clear()
    review = review_for(export_document(), claim)
    assert LOADED == ["https://schema.org"]  # the context came from our offline loader

    # Required by Google: claimReviewed, reviewRating (with alternateName), url.
    assert value(review, "claimReviewed") == claim.text
    assert value(review, "url") == f"https://desk.example.org/fact-checks/{claim.pk}/"
    rating = value(review, "reviewRating")
    assert rating["@type"] == ["http://schema.org/Rating"]
    assert value(rating, "alternateName") == "Mostly false"
    # Numbers from the scale in the database: Mostly false is 2 on a 1..5 scale.
    assert (value(rating, "ratingValue"), value(rating, "worstRating")) == (2, 1)
    assert value(rating, "bestRating") == 5
    # Recommended: author (the organisation), datePublished, itemReviewed.
    author = value(review, "author")
    assert author["@type"] == ["http://schema.org/Organization"]
    assert value(author, "name") == "Test Desk"
    assert value(author, "url") == "https://desk.example.org/"
    assert value(review, "datePublished") == claim.published_at.isoformat()
    item = value(review, "itemReviewed")
    assert item["@type"] == ["http://schema.org/Claim"]
    claimant = value(item, "author")
    assert claimant["@type"] == ["http://schema.org/Person"]
    assert value(claimant, "name") == "Zamir Kabulov"
    assert value(item, "datePublished") == claim.article.published_at.isoformat()
    appearance = value(item, "appearance")
    assert appearance["@type"] == ["http://schema.org/CreativeWork"]
    assert value(appearance, "url") == claim.article.url
    assert value(value(appearance, "publisher"), "name") == "The Daily Example"
    assert values(item, "firstAppearance") == []  # not known for this claim
    citations = sorted(value(c, "url") for c in values(review, "citation"))
    assert citations == ["https://a.example.org/1", "https://b.example.org/2"]
    assert values(review, "dateModified") == []  # never corrected


def test_non_ordinal_rating_has_alternate_name_and_no_numbers(editor, checker):
    claim = verdict_claim(author=checker, decider=editor, rating_slug="misleading")
    review = review_for(export_document(), claim)
    rating = value(review, "reviewRating")
    assert value(rating, "alternateName") == "Misleading"
    for prop in ("ratingValue", "bestRating", "worstRating"):
        assert values(rating, prop) == [], prop
    assert value(review, "claimReviewed") == claim.text
    assert value(value(review, "itemReviewed"), "author")


def test_numbers_come_from_the_scale_not_constants(editor, checker):
    # A desk with a 0..10 scale: bounds follow the data.
    scale = [("pants-on-fire", "Pants on fire", 0), ("meh", "Meh", 6), ("spot-on", "Spot on", 10)]
    for position, (slug, label, number) in enumerate(scale):
        Rating.objects.create(scale="ten", slug=slug, label=label, value=number, position=position)
    claim = verdict_claim(author=checker, decider=editor, rating_slug=None)
    claim.verdicts.create(
        rating=Rating.objects.get(scale="ten", slug="meh"),
        summary="So-so.",
        author=checker,
        decided_by=editor,
        state="approved",
        is_current=True,
    )
    rating = value(review_for(export_document(), claim), "reviewRating")
    assert value(rating, "alternateName") == "Meh"
    assert (value(rating, "worstRating"), value(rating, "ratingValue")) == (0, 6)
    assert value(rating, "bestRating") == 10


def test_organisation_claimant_and_first_appearance(editor, checker):
    original_article = ArticleFactory(
        url="https://first.example.net/original", title="Where it started", publisher="First Post"
    )
    original = verdict_claim(
        author=checker,
        decider=editor,
        article=original_article,
        claimant="Russian foreign ministry",
    )
    repeat = verdict_claim(
        author=checker,
        decider=editor,
        claimant="Russian foreign ministry",
        duplicate_of=original,
    )
    document = export_document()
    item = value(review_for(document, repeat), "itemReviewed")
    assert value(item, "author")["@type"] == ["http://schema.org/Organization"]
    first = value(item, "firstAppearance")
    assert value(first, "url") == "https://first.example.net/original"
    assert value(first, "headline") == "Where it started"


def test_exports_only_claims_matching_the_filters(editor, checker):
    a = verdict_claim(author=checker, decider=editor, rating_slug="false")
    verdict_claim(author=checker, decider=editor, rating_slug="true")
    document = export_document(rating=["false"])
    reviews = nodes_of_type(expand(document), "ClaimReview")
    assert [value(r, "claimReviewed") for r in reviews] == [a.text]


def test_data_feed_parses_with_every_review(editor, checker):
    claims = [verdict_claim(author=checker, decider=editor) for _ in range(3)]
    rows = [selectors.claim_row(c, selectors.RatingScales()) for c in selectors.published_claims()]
    feed = claimreview.data_feed(rows, feed_url="https://desk.example.org/fact-checks/feed.jsonld")
    expanded = expand(feed)
    (data_feed,) = nodes_of_type(expanded, "DataFeed")
    elements = values(data_feed, "dataFeedElement")
    assert len(elements) == 3
    assert sorted(value(e, "claimReviewed") for e in elements) == sorted(c.text for c in claims)


def test_corrected_review_carries_date_modified(editor, editor2, checker):
    from claims import corrections
    from tests.factories import rating

    claim = verdict_claim(author=checker, decider=editor, rating_slug="false")
    correction = corrections.correction_propose(
        claim_id=claim.pk,
        actor=editor,
        rating_id=rating("half-true").pk,
        summary="Partly right after all.",
        rationale="Revised figures.",
        note="Revised figures were published.",
    )
    corrections.correction_approve(claim_id=claim.pk, actor=editor2)
    correction.refresh_from_db()
    review = review_for(export_document(), claim)
    assert value(review, "dateModified") == correction.decided_at.isoformat()
    assert value(review, "datePublished") == claim.published_at.isoformat()
    rating_node = value(review, "reviewRating")
    assert (value(rating_node, "alternateName"), value(rating_node, "ratingValue")) == (
        "Half true",
        3,
    )


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Zamir Kabulov", "Person"),
        ("Jen Psaki", "Person"),
        ("Russian foreign ministry", "Organization"),
        ("The White House", "Organization"),
        ("Taliban", "Organization"),
        ("Press TV", "Organization"),
        ("Russia Today", "Organization"),
        ("Russian officials", "Organization"),
        ("PG&E", "Organization"),
    ],
)
def test_claimant_is_a_person_or_an_organisation(name, kind):
    assert selectors.claimant_schema_type(name) == kind
