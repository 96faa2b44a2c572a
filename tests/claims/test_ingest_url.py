"""Articles from a URL: fetched by the job, main text and metadata kept, failures explained."""

import pytest

from claims import services
from claims.errors import InvalidInput
from claims.models import Article, Claim
from tests.localsite import Page

pytestmark = pytest.mark.django_db

STORY = (
    "The minister said unemployment fell to 4.1% last year, the lowest since 1998.\n\n"
    "Critics noted that the figure excludes 300,000 people on training schemes."
)


def test_url_article_is_fetched_and_its_claims_filed(site, django_capture_on_commit_callbacks):
    site.html("/news/jobs", "Jobs report", STORY)
    with django_capture_on_commit_callbacks() as callbacks:
        article, created = services.article_create_from_url(url=site.url("/news/jobs#top"))
    assert created and article.status == Article.Status.PENDING
    assert article.url == site.url("/news/jobs")  # the fragment is not part of the address
    assert len(callbacks) == 1  # the fetch job is sent only after commit
    filed = services.article_fetch(article_id=article.pk)
    article.refresh_from_db()
    assert article.status == Article.Status.READY, article.status_detail
    assert "unemployment fell to 4.1%" in article.body
    assert article.title == "Jobs report"
    assert filed and all(article.body[c.start_offset : c.end_offset] == c.text for c in filed)
    # Again: nothing new.
    assert services.article_fetch(article_id=article.pk) == []
    again, created = services.article_create_from_url(url=site.url("/news/jobs"))
    assert not created and again.pk == article.pk


@pytest.mark.parametrize(
    ("page", "message"),
    [
        (Page(status=404, body=b"<html>nope</html>"), "404"),
        (Page(body=b"\x89PNG....", content_type="image/png"), "image/png"),
        (Page(body=b"<html><body><nav>Home</nav></body></html>"), "No article text"),
    ],
)
def test_failed_fetch_leaves_the_article_failed_with_the_reason(site, page, message):
    site.pages["/bad"] = page
    article, _ = services.article_create_from_url(url=site.url("/bad"))
    assert services.article_fetch(article_id=article.pk) == []
    article.refresh_from_db()
    assert article.status == Article.Status.FAILED
    assert message in article.status_detail
    assert not Claim.objects.exists()


def test_loopback_is_refused_outside_tests(site, settings):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = False
    site.html("/news/jobs", "Jobs report", STORY)
    article, _ = services.article_create_from_url(url=site.url("/news/jobs"))
    services.article_fetch(article_id=article.pk)
    article.refresh_from_db()
    assert article.status == Article.Status.FAILED
    assert "127.0.0.1" in article.status_detail


def test_same_text_at_another_url_points_to_the_existing_article(site):
    first, _ = services.article_create_from_text(text=STORY)
    site.pages["/copy"] = Page(body=STORY.encode(), content_type="text/plain; charset=utf-8")
    article, _ = services.article_create_from_url(url=site.url("/copy"))
    services.article_fetch(article_id=article.pk)
    article.refresh_from_db()
    assert article.status == Article.Status.FAILED
    assert f"already filed as article {first.pk}" in article.status_detail


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "gopher://x/"])
def test_non_http_urls_are_refused_before_anything_is_stored(url):
    with pytest.raises(InvalidInput, match="Only http:// and https:// addresses are accepted"):
        services.article_create_from_url(url=url)
    assert not Article.objects.exists()
