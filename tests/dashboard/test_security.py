"""Who sees what: the role-aware header, refusals by URL-guessing (403), CSRF, login."""

import pytest
from django.test import Client
from django.urls import reverse

from claims.models import Article, Claim
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def test_pages_need_login(client):
    for name in ["home", "claims", "ingest", "approvals", "reports"]:
        response = client.get(reverse(f"claims:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_header_is_role_aware(editor_client, checker_client):
    editor_html = editor_client.get(reverse("claims:home")).content.decode()
    for item in ["My queue", "Claims", "Ingest", "Approvals", "Reports", "/reviewers/workload/"]:
        assert item in editor_html
    assert "/reviewers/notifications/" in editor_html and 'id="site-search"' in editor_html
    checker_html = checker_client.get(reverse("claims:home")).content.decode()
    assert 'href="/ingest/"' not in checker_html
    assert 'href="/approvals/"' not in checker_html
    assert "/reviewers/workload/" not in checker_html
    assert "/reviewers/notifications/" in checker_html


def test_header_counts_waiting_approvals(editor_client, submitted_claim):
    html = editor_client.get(reverse("claims:home")).content.decode()
    assert '<span class="count" aria-label="1 waiting">1</span>' in html


def test_fact_checker_cannot_ingest_by_url_guessing(checker_client):
    assert checker_client.get(reverse("claims:ingest")).status_code == 403
    response = checker_client.post(reverse("claims:ingest"), {"text": "Exports rose 12% in 2025."})
    assert response.status_code == 403
    assert "Only editors can ingest articles." in response.content.decode()
    assert not Article.objects.exists()


def test_fact_checker_cannot_triage_by_url_guessing(checker_client):
    claim = ClaimFactory(state=Claim.State.CANDIDATE)
    response = checker_client.post(
        reverse("claims:article_triage", args=[claim.article_id]),
        {"claims": [claim.pk], "action": "promote", f"v_{claim.pk}": claim.version},
    )
    assert response.status_code == 403
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.CANDIDATE


def test_fact_checker_cannot_export_by_url_guessing(checker_client):
    response = checker_client.get("/reports/export/", {"format": "csv"})
    assert response.status_code == 403


def test_user_without_a_role_is_refused_everywhere(db):
    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory(username="visitor"))
    claim = ClaimFactory()
    for path in ["/claims/", f"/claims/{claim.pk}/", "/ingest/", "/approvals/", "/reports/"]:
        assert client.get(path).status_code == 403, path
    assert client.get("/").status_code == 200  # the queue explains, empty


@pytest.mark.parametrize(
    "path,data",
    [
        ("claims:ingest", {"text": "Exports rose 12% in 2025."}),
        ("claims:approvals", {"claim": 1, "version": 1, "intent": "approve"}),
        ("claims:claim_bulk", {"claims": [1], "action": "priority", "priority": "high"}),
    ],
)
def test_posts_without_csrf_token_are_refused(editor, path, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(reverse(path), data)
    assert response.status_code == 403
    assert b"CSRF" in response.content


def test_claim_action_without_csrf_token_is_refused(editor, open_claim):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(
        reverse("claims:claim_action", args=[open_claim.pk, "priority"]),
        {"version": open_claim.version, "priority": "urgent"},
    )
    assert response.status_code == 403
    assert Claim.objects.get(pk=open_claim.pk).priority == "normal"


def test_every_form_on_the_claim_page_has_a_csrf_token(editor_client, open_claim):
    html = editor_client.get(reverse("claims:claim", args=[open_claim.pk])).content.decode()
    posts = html.count('method="post"')
    assert posts >= 5
    assert html.count('name="csrfmiddlewaretoken"') >= posts


def test_login_and_logout(editor):
    client = Client()
    page = client.get("/accounts/login/")
    assert b'<label for="id_username">' in page.content
    response = client.post(
        "/accounts/login/", {"username": "editor", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    bad = client.post("/accounts/login/", {"username": "editor", "password": "nope"})
    assert "didn't match" in bad.content.decode()
