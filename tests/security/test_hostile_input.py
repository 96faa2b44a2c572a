"""Issue 11, item 6: hostile input gets a 400 with a sentence (the API's error shape, the import
page's form error, the command's error and non-zero exit), never a 500, and nothing half-written.

Deep nesting (100,000 '['), NUL characters (U+0000, which PostgreSQL refuses) and over-long fields,
on every door that takes them."""

import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from claims.api.tokens import token_create
from claims.models import Article, Claim, PastFactCheck, Topic
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000
NESTED_65 = "[" * 65 + "]" * 65


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user).key}")
    return client


def assert_error(response, status: int, code: str, words: str) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    data = response.json()
    assert response.status_code == status, data
    assert set(data) == {"detail", "code", "errors"}
    assert data["code"] == code, data
    assert words in data["detail"], data
    return data


@pytest.fixture
def open_claim(editor):
    return ClaimFactory(state=Claim.State.OPEN)


# --- The API -------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [DEEP, NESTED_65, '{"text": ' + DEEP])
def test_deep_nesting_to_articles_is_a_400(editor, body):
    response = api(editor).post("/api/v1/articles/", data=body, content_type="application/json")
    assert_error(response, 400, "too_deep", "nested more than 64 levels deep")
    assert not Article.objects.exists()


def test_deep_nesting_to_set_topics_is_a_400(editor, open_claim):
    Topic.objects.get_or_create(slug="economy", defaults={"name": "Economy"})
    client = api(editor)
    for body in (DEEP, '{"topics": ' + DEEP + "}"):
        response = client.post(
            f"/api/v1/claims/{open_claim.pk}/set-topics/",
            data=body,
            content_type="application/json",
        )
        assert_error(response, 400, "too_deep", "nested more than 64 levels deep")
    open_claim.refresh_from_db()
    assert open_claim.version == 1 and not open_claim.topics.exists()


def test_ordinary_nesting_is_still_accepted(editor, open_claim):
    Topic.objects.get_or_create(slug="economy", defaults={"name": "Economy"})
    response = api(editor).post(
        f"/api/v1/claims/{open_claim.pk}/set-topics/",
        data=json.dumps({"topics": ["economy"]}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert list(open_claim.topics.values_list("slug", flat=True)) == ["economy"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"text": "A claim\u0000 with a NUL."}, "text"),
        ({"text": "Fine text.", "title": "\u0000"}, "title"),
        ({"text": "Fine text.", "\u0000": "x"}, "A key at the top level"),
    ],
)
def test_nul_characters_in_json_are_a_400(editor, body, where):
    response = api(editor).post(
        "/api/v1/articles/", data=json.dumps(body), content_type="application/json"
    )
    data = assert_error(response, 400, "nul_character", "NUL character (\\u0000)")
    assert where in data["detail"]
    assert not Article.objects.exists()


def test_nul_characters_in_form_bodies_are_a_400(editor):
    response = api(editor).post("/api/v1/articles/", {"text": "NUL \x00 here"})  # multipart
    assert_error(response, 400, "nul_character", "The field 'text' contains a NUL character")
    response = api(editor).post(
        "/api/v1/articles/",
        data="text=NUL%00here",
        content_type="application/x-www-form-urlencoded",
    )
    assert_error(response, 400, "nul_character", "The field 'text' contains a NUL character")
    assert not Article.objects.exists()


def test_nul_in_a_query_parameter_is_a_400(editor):
    response = api(editor).get("/api/v1/claims/?q=a%00b")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "invalid"
    assert "Null characters are not allowed." in json.dumps(response.json())


def test_over_long_fields_are_a_400(editor, open_claim):
    response = api(editor).post(
        "/api/v1/articles/", {"text": "Fine.", "title": "t" * 501}, format="json"
    )
    assert_error(response, 400, "invalid", "Ensure this field has no more than 500 characters.")
    response = api(editor).post(
        f"/api/v1/claims/{open_claim.pk}/evidence/",
        {"url": "https://example.org/" + "a" * 2000},
        format="json",
    )
    assert response.status_code == 400
    assert "no more than 2000 characters" in response.json()["errors"]["url"][0]
    assert Article.objects.count() == 1  # the claim's own: no new article
    assert not open_claim.evidence.exists()


def test_nan_is_not_json(editor):
    response = api(editor).post(
        "/api/v1/articles/", data='{"text": NaN}', content_type="application/json"
    )
    assert_error(response, 400, "parse_error", "NaN is not a JSON number")


# --- The ClaimReview import: page and command -------------------------------------------------


def review(**extra) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://other.example.org/fc/1",
        "claimReviewed": "The moon is made of cheese.",
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        **extra,
    }


HOSTILE_FILES = [
    (DEEP.encode(), "nested more than 64 levels deep"),
    (
        json.dumps(
            [review(), review(url="https://x.example/2", claimReviewed="Bad\u0000")]
        ).encode(),
        "contains a NUL character (\\u0000)",
    ),
    (
        json.dumps({"@graph": [review(author={"name": "Desk\u0000"})]}).encode(),
        "The text at @graph[0].author.name contains a NUL character",
    ),
]


@pytest.mark.parametrize(("content", "words"), HOSTILE_FILES)
def test_import_page_refuses_hostile_files_with_a_form_error(client, editor, content, words):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(editor)
    upload = SimpleUploadedFile("reviews.json", content, content_type="application/json")
    response = client.post("/reports/import/", {"file": upload})
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not PastFactCheck.objects.exists()  # nothing half-written


@pytest.mark.parametrize(("content", "words"), HOSTILE_FILES)
def test_import_command_refuses_hostile_files(tmp_path, content, words):
    path = tmp_path / "reviews.json"
    path.write_bytes(content)
    with pytest.raises(CommandError) as caught:
        call_command("import_claimreview", str(path))
    assert words in str(caught.value)
    assert not PastFactCheck.objects.exists()


def test_import_skips_over_long_values_with_a_reason(tmp_path, capsys):
    path = tmp_path / "reviews.json"
    long_url = "https://other.example.org/" + "a" * 2100
    path.write_text(
        json.dumps(
            [
                review(),
                review(url=long_url),
                review(url="https://other.example.org/2", claimReviewed="x" * 10_001),
            ]
        )
    )
    call_command("import_claimreview", str(path))
    captured = capsys.readouterr()
    assert "1 new, 0 updated, 0 unchanged, 2 skipped" in captured.out
    assert "has a url longer than 2000 characters" in captured.err
    assert "has a claimReviewed of 10,001 characters; the limit is 10,000" in captured.err
    assert PastFactCheck.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_import_command_exits_non_zero_without_a_traceback(tmp_path):
    """The real process: exit status 1 and one line saying why, no traceback."""
    path = tmp_path / "deep.json"
    path.write_text(DEEP)
    run = subprocess.run(
        [sys.executable, "manage.py", "import_claimreview", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "DJANGO_DEBUG": "1"},
    )
    assert run.returncode == 1
    assert "CommandError: The JSON is nested more than 64 levels deep" in run.stderr
    assert "Traceback" not in run.stderr
