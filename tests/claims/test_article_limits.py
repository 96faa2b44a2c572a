"""Bounded cost per request and per job: articles, uploads and request bodies have caps, and every
way in (ingest page, API, ingest_article) refuses more with a sentence saying what the limit is."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings

from claims import services
from claims.errors import InvalidInput
from claims.models import Article
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

# 40 sentences of about 45 characters.
FORTY = "".join(f"The minister said exports rose {n}% last year. " for n in range(40))


@override_settings(ARTICLE_MAX_SENTENCES=10)
def test_the_service_refuses_an_article_with_too_many_sentences():
    with pytest.raises(InvalidInput) as refused:
        services.article_create_from_text(text=FORTY)
    assert str(refused.value) == (
        "The article has too many sentences (40; the limit is 10). Split it into parts."
    )
    assert not Article.objects.exists()


@override_settings(ARTICLE_MAX_SENTENCES=40)
def test_an_article_at_the_sentence_limit_is_filed():
    article, created = services.article_create_from_text(text=FORTY)
    assert created and article.status == Article.Status.PENDING


@override_settings(ARTICLE_MAX_BYTES=1000)
def test_an_html_page_over_the_byte_limit_is_refused_before_parsing():
    html = "<html><body><article><p>" + FORTY + "</p></article></body></html>"
    with pytest.raises(InvalidInput) as refused:
        services.article_create_from_html(html=html)
    assert str(refused.value).startswith("The HTML page is too large (")
    assert "Paste the article's text instead." in str(refused.value)


@override_settings(ARTICLE_MAX_SENTENCES=10)
def test_the_ingest_page_says_the_article_has_too_many_sentences(client, editor):
    client.force_login(editor)
    response = client.post("/ingest/", {"text": FORTY})
    assert response.status_code == 400
    assert "The article has too many sentences (40; the limit is 10)" in response.text
    assert not Article.objects.exists()


def test_the_ingest_page_states_the_limits(client, editor):
    client.force_login(editor)
    page = client.get("/ingest/").text
    assert "at most 500,000 characters and 5,000 sentences" in page
    assert ".txt (UTF-8) or .html, at most 5 MB." in page


@override_settings(ARTICLE_MAX_BYTES=1000)
def test_the_ingest_page_refuses_a_file_over_the_limit(client, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile("big.txt", FORTY.encode() * 2, content_type="text/plain")
    response = client.post("/ingest/", {"file": upload})
    assert response.status_code == 400
    assert "The file is too large" in response.text
    assert not Article.objects.exists()


@override_settings(ARTICLE_MAX_SENTENCES=10)
def test_the_api_refuses_too_many_sentences_with_its_error_shape(editor):
    response = client_for(editor).post("/api/v1/articles/", {"text": FORTY}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"] == (
        "The article has too many sentences (40; the limit is 10). Split it into parts."
    )


@override_settings(REQUEST_MAX_BYTES=1000)
def test_bodies_over_the_request_limit_are_413_on_the_api_before_anything_reads_them(editor):
    response = client_for(editor).post("/api/v1/articles/", {"text": FORTY * 2}, format="json")
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "request_too_large"
    assert body["detail"].startswith("The request is too large (")
    assert "the limit is 1,000 bytes" in body["detail"]
    assert not Article.objects.exists()


@override_settings(REQUEST_MAX_BYTES=1000)
def test_bodies_over_the_request_limit_are_a_413_page_on_the_dashboard(client, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile("big.txt", FORTY.encode() * 2, content_type="text/plain")
    response = client.post("/ingest/", {"file": upload})
    assert response.status_code == 413
    assert "<h1>Too large</h1>" in response.text
    assert "the limit is 1,000 bytes" in response.text
    assert not Article.objects.exists()


@override_settings(ARTICLE_MAX_SENTENCES=10)
def test_ingest_article_refuses_too_many_sentences(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(FORTY)
    with pytest.raises(CommandError) as refused:
        call_command("ingest_article", str(path), stdout=io.StringIO())
    assert "The article has too many sentences (40; the limit is 10)" in str(refused.value)
    assert not Article.objects.exists()


@override_settings(ARTICLE_MAX_BYTES=1000)
def test_ingest_article_refuses_a_file_over_the_byte_limit_without_reading_it(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(FORTY * 2)
    with pytest.raises(CommandError) as refused:
        call_command("ingest_article", str(path), stdout=io.StringIO())
    assert str(refused.value).startswith("long.txt is too large (more than 0 MB;")
    assert not Article.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_paste_over_the_form_field_limit_is_a_413_page_not_a_bare_400(client, editor):
    client.force_login(editor)
    response = client.post("/ingest/", {"text": FORTY * 2})
    assert response.status_code == 413
    assert "<h1>Too large</h1>" in response.text
    assert "its fields may hold at most 1,000 bytes" in response.text
    assert not Article.objects.exists()
