"""Ingest: pasted text, uploaded files, web addresses; live status; triage in bulk."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Article, Claim, ClaimEvent, Topic
from tests.factories import ArticleFactory, ClaimFactory
from tests.vendor import queries

from .conftest import messages_of

pytestmark = pytest.mark.django_db
TEXT = (
    "The ministry said exports rose 12% in 2025. Analysts said the rise was much smaller "
    "than reported. It was a sunny day."
)


def test_paste_text_files_an_article_and_schedules_extraction(
    editor_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = editor_client.post(
            reverse("claims:ingest"), {"text": TEXT, "title": "Exports", "publisher": "Wire"}
        )
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:article", args=[article.pk])
    assert article.title == "Exports" and article.source == "text"
    assert article.submitted_by.username == "editor"
    assert len(callbacks) == 1  # the extraction job, sent after commit
    page = editor_client.get(response["Location"])
    assert "Article filed. Its claims are being extracted." in messages_of(page)
    html = page.content.decode()
    assert 'hx-trigger="every 1s"' in html and "<progress" in html


def test_same_text_twice_gives_the_existing_article(editor_client):
    editor_client.post(reverse("claims:ingest"), {"text": TEXT})
    response = editor_client.post(reverse("claims:ingest"), {"text": TEXT}, follow=True)
    assert Article.objects.count() == 1
    assert "This article was filed before; here it is." in messages_of(response)


def test_txt_upload_must_be_utf8(editor_client):
    bad = SimpleUploadedFile("a.txt", "Café said 5%.".encode("latin-1"), "text/plain")
    response = editor_client.post(reverse("claims:ingest"), {"file": bad, "title": "Kept"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The file is not UTF-8 text" in html
    assert 'value="Kept"' in html
    assert not Article.objects.exists()
    good = SimpleUploadedFile("a.txt", TEXT.encode("utf-8"), "text/plain")
    assert editor_client.post(reverse("claims:ingest"), {"file": good}).status_code == 302
    assert Article.objects.get().body.startswith("The ministry said")


def test_html_upload_is_parsed_first(editor_client):
    html = f"<html><body><h1>Report</h1><p>{TEXT}</p><script>evil()</script></body></html>"
    upload = SimpleUploadedFile("page.html", html.encode(), "text/html")
    response = editor_client.post(reverse("claims:ingest"), {"file": upload})
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.source == "html"
    assert "<p>" not in article.body and "exports rose 12%" in article.body


def test_other_file_types_are_refused(editor_client):
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4", "application/pdf")
    response = editor_client.post(reverse("claims:ingest"), {"file": upload})
    assert response.status_code == 400
    assert "Upload a .txt or an .html file." in response.content.decode()


def test_nothing_given_or_two_ways_are_explained(editor_client):
    response = editor_client.post(reverse("claims:ingest"), {"title": "x"})
    assert response.status_code == 400
    assert "Paste the article&#x27;s text, upload a file or give its web address." in (
        response.content.decode()
    )
    response = editor_client.post(
        reverse("claims:ingest"), {"text": TEXT, "url": "https://example.org/a"}
    )
    assert response.status_code == 400
    assert "Give the article one way only" in response.content.decode()
    assert "exports rose 12%" in response.content.decode()  # the text stays in the form


def test_url_ingestion_files_the_article_and_queues_the_fetch(
    editor_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = editor_client.post(
            reverse("claims:ingest"), {"url": "https://news.example.org/a"}
        )
    article = Article.objects.get(url="https://news.example.org/a")
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:article", args=[article.pk])
    assert article.status == Article.Status.PENDING
    assert article.submitted_by.username == "editor"
    assert len(callbacks) == 1  # claims.fetch_article goes to the worker after commit


def test_non_http_url_is_refused(editor_client):
    response = editor_client.post(reverse("claims:ingest"), {"url": "file:///etc/passwd"})
    assert response.status_code == 400
    assert "Only http:// and https:// addresses are accepted" in response.content.decode()


def test_status_fragment_polls_while_working_and_stops_polling_when_done(editor_client):
    article = ArticleFactory(status=Article.Status.PROCESSING, progress=70)
    status_url = reverse("claims:article_status", args=[article.pk])
    response = editor_client.get(status_url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="70"' in html and "Extracting claims" in html and "every 1s" in html
    assert "HX-Refresh" not in response
    Article.objects.filter(pk=article.pk).update(status=Article.Status.READY, progress=100)
    for _ in range(3):  # however often a late poll arrives: stop, never reload the page
        response = editor_client.get(status_url, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 286  # htmx: stop polling (and swap this in)
        assert "HX-Refresh" not in response and "HX-Redirect" not in response
        assert "hx-trigger" not in html and "every 1s" not in html
        assert f'href="/articles/{article.pk}/#sentences" data-follow-once' in html


def test_failed_ingestion_status_stops_polling_and_says_why(editor_client):
    article = ArticleFactory(status=Article.Status.FAILED, status_detail="The page returned 404.")
    status_url = reverse("claims:article_status", args=[article.pk])
    response = editor_client.get(status_url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 286
    assert "hx-trigger" not in html and "data-follow-once" not in html
    assert "The page returned 404." in html


def test_failed_ingestion_shows_why(editor_client):
    article = ArticleFactory(status=Article.Status.FAILED, status_detail="The page returned 404.")
    html = editor_client.get(reverse("claims:article", args=[article.pk])).content.decode()
    assert "Ingestion failed." in html and "The page returned 404." in html


def test_bulk_triage_promotes_dismisses_and_prioritises(editor_client):
    article = ArticleFactory()
    a, b, c = (ClaimFactory(article=article, state=Claim.State.CANDIDATE) for _ in range(3))
    triage = reverse("claims:article_triage", args=[article.pk])
    versions = {f"v_{x.pk}": x.version for x in (a, b, c)}
    response = editor_client.post(
        triage, {"claims": [a.pk, b.pk], "action": "promote", **versions}, follow=True
    )
    assert "2 claims promoted to open." in messages_of(response)
    assert set(Claim.objects.filter(state="open").values_list("pk", flat=True)) == {a.pk, b.pk}

    response = editor_client.post(
        triage,
        {"claims": [c.pk], "action": "dismiss", "reason": "opinion", **versions},
        follow=True,
    )
    assert "1 claim dismissed." in messages_of(response)
    assert Claim.objects.get(pk=c.pk).dismiss_reason == "opinion"

    economy = Topic.objects.get(slug="economy")
    fresh = {f"v_{x.pk}": x.version for x in Claim.objects.filter(article=article)}
    response = editor_client.post(
        triage,
        {"claims": [a.pk, b.pk], "action": "priority", "priority": "urgent", **fresh},
        follow=True,
    )
    assert "2 claims given the new priority." in messages_of(response)
    fresh = {f"v_{x.pk}": x.version for x in Claim.objects.filter(article=article)}
    editor_client.post(
        triage, {"claims": [a.pk], "action": "topics", "topics": [economy.pk], **fresh}
    )
    assert list(Claim.objects.get(pk=a.pk).topics.all()) == [economy]
    assert ClaimEvent.objects.filter(claim=a, transition="set_topics").exists()


def test_bulk_triage_reports_each_refusal_and_keeps_going(editor_client, editor):
    article = ArticleFactory()
    a = ClaimFactory(article=article, state=Claim.State.CANDIDATE)
    b = ClaimFactory(article=article, state=Claim.State.CANDIDATE)
    stale = b.version
    from claims import workflow

    workflow.claim_set_priority(claim_id=b.pk, actor=editor, priority="high")
    response = editor_client.post(
        reverse("claims:article_triage", args=[article.pk]),
        {"claims": [a.pk, b.pk], "action": "promote", f"v_{a.pk}": a.version, f"v_{b.pk}": stale},
        follow=True,
    )
    texts = messages_of(response)
    assert "1 claim promoted to open." in texts
    assert any(t.startswith(f"Claim {b.pk}: This claim was changed") for t in texts)
    assert Claim.objects.get(pk=b.pk).state == "candidate"


def test_bulk_without_selection_or_reason_is_explained(editor_client):
    article = ArticleFactory()
    a = ClaimFactory(article=article, state=Claim.State.CANDIDATE)
    triage = reverse("claims:article_triage", args=[article.pk])
    response = editor_client.post(triage, {"action": "promote"})
    assert response.status_code == 400
    assert "Select at least one claim." in messages_of(response)
    response = editor_client.post(triage, {"claims": [a.pk], "action": "dismiss"})
    assert response.status_code == 400
    assert "Choose why the claims are dismissed." in messages_of(response)
    assert f'value="{a.pk}" id="pick-{a.pk}" checked' in response.content.decode()  # kept


def test_article_page_queries_are_bounded(editor_client, django_assert_max_num_queries):
    article = ArticleFactory()
    economy = Topic.objects.get(slug="economy")
    for _ in range(60):
        ClaimFactory(article=article).topics.add(economy)
    ClaimFactory(article=article)  # one without a topic
    # session with its user, permissions, article, the page's sentences, and in one query
    # (page_lookups) the counts, every topic with the sentences that have it (rows and bulk
    # form) and the header's counts; SQLite reads the permissions apart from the user
    with django_assert_max_num_queries(queries(postgresql=4, sqlite=6)):
        response = editor_client.get(reverse("claims:article", args=[article.pk]))
    html = response.content.decode()
    assert html.count('name="claims"') == 61
    assert html.count("<td>Economy</td>") == 60
    # the bulk form offers every topic, none chosen
    for topic in Topic.objects.all():
        assert f'<option value="{topic.pk}">{topic.name}</option>' in html
