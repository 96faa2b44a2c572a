"""One error shape everywhere; stale versions are conflicts that say what changed; bad input is
a 4xx with a message, never a 500; bodies are limited in size; only http/https URLs."""

import json

import pytest
from django.test import override_settings

from claims import workflow
from claims.models import Article, Claim, Evidence
from tests.factories import ClaimFactory, claim_in

pytestmark = pytest.mark.django_db
S = Claim.State


def assert_error(response, status: int, code: str, detail: str | None = None) -> dict:
    data = response.json()
    assert response.status_code == status, data
    assert set(data) == {"detail", "code", "errors"}
    assert data["code"] == code
    assert isinstance(data["detail"], str) and data["detail"]
    if detail is not None:
        assert data["detail"] == detail
    return data


# --- Stale versions ------------------------------------------------------------------------


@pytest.fixture
def open_claim(editor):
    claim = ClaimFactory(state=S.CANDIDATE)
    workflow.claim_promote(claim_id=claim.pk, actor=editor)  # version 2, by editor
    return Claim.objects.get(pk=claim.pk)


@pytest.mark.parametrize(
    "how",
    [
        {"body": {"version": 1}},
        {"body": {"expected_version": 1}},
        {"headers": {"HTTP_IF_MATCH": '"1"'}},
        {"headers": {"HTTP_IF_MATCH": 'W/"1"'}},
    ],
)
def test_a_stale_write_is_a_conflict_that_says_what_changed(as_editor, open_claim, how):
    response = as_editor.post(
        f"/api/v1/claims/{open_claim.pk}/set-priority/",
        {"priority": "urgent", **how.get("body", {})},
        format="json",
        **how.get("headers", {}),
    )
    data = assert_error(response, 409, "stale_version")
    assert "you had version 1, it is now version 2" in data["detail"]
    assert "editor promoted it at" in data["detail"]
    open_claim.refresh_from_db()
    assert (open_claim.priority, open_claim.version) == ("normal", 2)


def test_the_current_version_is_accepted_from_the_etag(as_editor, open_claim):
    loaded = as_editor.get(f"/api/v1/claims/{open_claim.pk}/")
    assert loaded["ETag"] == '"2"'
    response = as_editor.post(
        f"/api/v1/claims/{open_claim.pk}/set-priority/",
        {"priority": "urgent"},
        format="json",
        HTTP_IF_MATCH=loaded["ETag"],
    )
    assert response.status_code == 200
    assert response.json()["version"] == 3
    assert response.json()["priority"] == "urgent"


def test_versions_that_disagree_are_refused(as_editor, open_claim):
    response = as_editor.post(
        f"/api/v1/claims/{open_claim.pk}/promote/",
        {"version": 2},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    # At most one of two different versions is current: a conflict (the schema cannot tie a
    # header to a body field, so it is not a 400).
    assert_error(
        response,
        409,
        "stale_version",
        "The If-Match header and the body's version differ, so at most one of them is the "
        "claim's current version. Reload the claim and send one.",
    )
    both = as_editor.post(
        f"/api/v1/claims/{open_claim.pk}/promote/",
        {"version": 2, "expected_version": 2},
        format="json",
    )
    assert assert_error(both, 400, "invalid")["errors"] == {
        "expected_version": ["Give the version once: `version` or `expected_version`."]
    }
    bad = as_editor.post(
        f"/api/v1/claims/{open_claim.pk}/promote/", {}, format="json", HTTP_IF_MATCH="yesterday"
    )
    assert assert_error(bad, 400, "invalid")["errors"]["If-Match"]


def test_a_transition_from_the_wrong_state_is_a_conflict(as_editor, open_claim):
    response = as_editor.post(f"/api/v1/claims/{open_claim.pk}/publish/", {}, format="json")
    assert_error(
        response,
        409,
        "transition_not_allowed",
        "Cannot publish this claim: it is open. "
        "From open it can: dismiss, assign, set the priority, set the topics.",
    )


def test_verdicts_carry_their_claims_version(as_checker, editor, checker):
    claim = claim_in(S.IN_REVIEW, editor=editor, checker=checker)
    saved = as_checker.post(
        f"/api/v1/claims/{claim.pk}/save-draft/",
        {"summary": "Half of it.", "version": claim.version},
        format="json",
    )
    assert saved.status_code == 200
    verdict = saved.json()["current_verdict"]
    assert verdict["version"] == saved.json()["version"] == claim.version + 1
    listed = as_checker.get(f"/api/v1/verdicts/{verdict['id']}/").json()
    assert listed["version"] == claim.version + 1


# --- Field errors and messages ---------------------------------------------------------------


def test_field_errors_name_the_field(as_editor, open_claim):
    response = as_editor.post(
        f"/api/v1/claims/{open_claim.pk}/dismiss/", {"reason": "boring"}, format="json"
    )
    data = assert_error(response, 400, "invalid")
    assert data["errors"] == {"reason": ['"boring" is not a valid choice.']}
    assert data["detail"] == 'reason: "boring" is not a valid choice.'


def test_service_refusals_keep_their_sentence(as_checker, editor, checker):
    claim = claim_in(S.IN_REVIEW, editor=editor, checker=checker)
    response = as_checker.post(f"/api/v1/claims/{claim.pk}/submit/", {}, format="json")
    assert_error(
        response, 400, "invalid", "Write a verdict (rating and summary) before submitting it."
    )


def test_assigning_someone_who_is_not_a_fact_checker(as_editor, open_claim):
    from tests.factories import UserFactory

    visitor = UserFactory(username="visitor")
    response = as_editor.post(
        f"/api/v1/claims/{open_claim.pk}/assign/", {"assignee": visitor.pk}, format="json"
    )
    assert_error(response, 400, "invalid", "visitor is not a fact-checker and cannot be assigned.")
    unknown = as_editor.post(
        f"/api/v1/claims/{open_claim.pk}/assign/", {"assignee_username": "nobody"}, format="json"
    )
    assert assert_error(unknown, 400, "invalid")["errors"] == {
        "assignee_username": ["There is no user named nobody."]
    }


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "file:///etc/passwd", "ftp://example.org/x", "data:text/html,hi"],
)
def test_only_http_and_https_urls(as_editor, open_claim, url):
    response = as_editor.post(
        f"/api/v1/claims/{open_claim.pk}/evidence/", {"url": url}, format="json"
    )
    data = assert_error(response, 400, "invalid")
    assert data["errors"]["url"][0].startswith("Only http:// and https:// addresses are accepted")
    article = as_editor.post("/api/v1/articles/", {"url": url}, format="json")
    assert assert_error(article, 400, "invalid")["errors"]["url"]
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/claims/?state=nonsense",
        "/api/v1/claims/?created_after=yesterday",
        "/api/v1/claims/?priority=asap",
        "/api/v1/claims/?topic=no-such-topic",
        "/api/v1/claims/?cursor=not-a-cursor",
        "/api/v1/claims/?cursor=eyJ2IjoieCIsImlkIjoxfQ",  # {"v":"x","id":1}: a bad date
        "/api/v1/articles/?status=lost",
        "/api/v1/verdicts/?claim=abc",
    ],
)
def test_bad_filters_are_400_with_the_field(as_editor, path):
    data = assert_error(as_editor.get(path), 400, "invalid")
    assert data["errors"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/claims/999999/",
        "/api/v1/claims/abc/",
        "/api/v1/claims/99999999999999999999999/",
        "/api/v1/claims/-1/promote/",
        "/api/v1/claims/abc/evidence/",
        "/api/v1/claims/999999/evidence/",
        "/api/v1/verdicts/999999/",
        "/api/v1/no-such-thing/",
        "/api/v1/claims/1.5/",
    ],
)
def test_unknown_objects_are_404(as_editor, path):
    method = as_editor.post if path.endswith("promote/") else as_editor.get
    assert_error(method(path, {}, format="json"), 404, "not_found", "Not found.")


def test_malformed_json_is_a_parse_error(as_editor):
    response = as_editor.post(
        "/api/v1/articles/", data="{not json", content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_wrong_method_and_media_type(as_editor, open_claim):
    assert_error(as_editor.delete(f"/api/v1/claims/{open_claim.pk}/"), 405, "method_not_allowed")
    response = as_editor.post("/api/v1/articles/", data="text", content_type="application/x-yaml")
    assert_error(response, 415, "unsupported_media_type")


def test_a_bad_token_is_401(open_claim):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error(client.get("/api/v1/claims/"), 401, "authentication_failed", "Invalid token.")


def test_people_without_a_role_see_no_claims(db):
    from tests.factories import UserFactory

    from .conftest import client_for

    response = client_for(UserFactory(username="visitor")).get("/api/v1/claims/")
    assert_error(
        response,
        403,
        "permission_denied",
        "Only fact-checkers and editors can see claims, articles and verdicts.",
    )


# --- Size limits -----------------------------------------------------------------------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2000)
def test_bodies_over_the_limit_are_413(as_editor):
    body = json.dumps({"text": "The minister said exports rose 12%. " * 100})
    response = as_editor.post("/api/v1/articles/", data=body, content_type="application/json")
    data = assert_error(response, 413, "request_too_large")
    assert "the limit is 2,000 bytes" in data["detail"]
    form = as_editor.post("/api/v1/articles/", {"text": "x" * 5000})  # multipart
    assert_error(form, 413, "request_too_large")
    assert not Article.objects.exists()


@override_settings(ARTICLE_MAX_CHARS=100)
def test_an_article_too_long_for_the_service_is_400(as_editor):
    # The serializer's limit was fixed at import; the service checks the setting again.
    response = as_editor.post(
        "/api/v1/articles/", {"text": "The minister said exports rose 12%. " * 10}, format="json"
    )
    data = assert_error(response, 400, "invalid")
    assert "The article is too long" in data["detail"]
