"""Issue 11, item 8: feeds and pages.

RSS <title> and <description> are HTML-escaped before the feed writer XML-escapes them, so a reader
that renders HTML after undoing the XML shows "<script>" as text. Every page carries a
Content-Security-Policy whose nonce is on every inline script, plus Permissions-Policy,
Cross-Origin-Opener-Policy and Referrer-Policy."""

import html
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from claims import workflow
from claims.models import Claim, Verdict
from tests.factories import claim_in, rating

pytestmark = pytest.mark.django_db

HOSTILE_CLAIM = 'Taxes <script>alert("claim")</script> doubled'
HOSTILE_CLAIMANT = '<img src=x onerror=alert("claimant")>'
HOSTILE_SUMMARY = "<svg onload=alert(1)>Wrong</svg> & <b>bold</b>"


@pytest.fixture
def hostile_published(editor, checker):
    claim = claim_in(
        Claim.State.IN_REVIEW,
        editor=editor,
        checker=checker,
        text=HOSTILE_CLAIM,
        claimant=HOSTILE_CLAIMANT,
    )
    workflow.verdict_save_draft(
        claim_id=claim.pk, actor=checker, rating_id=rating().pk, summary=HOSTILE_SUMMARY
    )
    workflow.claim_submit(claim_id=claim.pk, actor=checker)
    workflow.claim_approve(claim_id=claim.pk, actor=editor, note="ok")
    workflow.claim_publish(claim_id=claim.pk, actor=editor)
    assert Verdict.objects.get(claim=claim, is_current=True).summary == HOSTILE_SUMMARY
    return Claim.objects.get(pk=claim.pk)


def rss_items(client) -> list[ET.Element]:
    response = client.get("/fact-checks/feed.rss")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    return root.findall("./channel/item")


def test_rss_title_and_description_are_escaped_for_html_readers(client, hostile_published):
    (item,) = rss_items(client)
    title = item.findtext("title")  # what a reader has after undoing the XML escaping
    description = item.findtext("description")
    for text in (title, description):
        # Rendered as HTML now, nothing is markup: no tag can open.
        assert "<" not in text and ">" not in text
    assert "&lt;script&gt;" in title and "&lt;script&gt;" in description
    assert "&lt;img src=x onerror=" in description
    assert "&lt;svg onload=alert(1)&gt;Wrong&lt;/svg&gt; &amp; &lt;b&gt;" in description
    # A reader that shows text gets the original back after one more unescape.
    assert HOSTILE_CLAIM in html.unescape(title)
    assert HOSTILE_CLAIMANT in html.unescape(description)
    assert HOSTILE_SUMMARY in html.unescape(description)


def test_the_public_page_escapes_it_too(client, hostile_published):
    page = client.get(f"/fact-checks/{hostile_published.pk}/").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page and "<svg onload" not in page
    assert "&lt;script&gt;alert" in page


def nonce_of(response) -> str:
    policy = response["Content-Security-Policy"]
    match = re.search(r"script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'", policy)
    assert match, policy
    return match.group(1)


def assert_policy(response) -> str:
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in policy, policy
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert response["Permissions-Policy"].startswith("accelerometer=(), autoplay=(), camera=()")
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Referrer-Policy"] == "same-origin"
    return policy


def assert_inline_scripts_carry_the_nonce(response) -> int:
    """Every inline script without src (and every <style>) carries this response's nonce, and no
    tag has an inline event handler (on...=). JSON-LD data blocks run nothing: CSP skips them."""
    body = response.content.decode()
    tags = re.findall(r"<[a-zA-Z][^>]*>", body)
    inline = [
        t
        for t in tags
        if re.match(r"<(script|style)\b", t) and "src=" not in t and "application/ld+json" not in t
    ]
    if inline:
        nonce = nonce_of(response)
        for tag in inline:
            assert f'nonce="{nonce}"' in tag, tag
    unquoted = [re.sub(r'"[^"]*"|\'[^\']*\'', '""', t) for t in tags]  # attribute values
    handlers = [t for t in unquoted if re.search(r"\son[a-z]+\s*=", t)]
    assert handlers == []
    return len(inline)


def test_dashboard_pages_have_the_policy(client, editor, hostile_published):
    client.force_login(editor)
    for path in ("/", "/claims/", f"/claims/{hostile_published.pk}/", "/reports/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_policy(response)
        assert_inline_scripts_carry_the_nonce(response)
        assert f'nonce="{nonce_of(response)}"' in response.content.decode()  # htmx, app.js


def test_the_export_progress_page_script_has_the_nonce(client, editor):
    from claims.models import Export

    client.force_login(editor)
    export = Export.objects.create(requested_by=editor, format="csv", filters={})
    response = client.get(f"/reports/exports/{export.pk}/")
    assert response.status_code == 200
    assert assert_inline_scripts_carry_the_nonce(response) == 1


def test_sign_in_and_admin_pages_have_the_policy(client, editor):
    for path in ("/accounts/login/", "/admin/login/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_policy(response)
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert_policy(response)
    assert_inline_scripts_carry_the_nonce(response)


def test_public_pages_and_feeds_have_the_policy(client, hostile_published):
    detail = client.get(f"/fact-checks/{hostile_published.pk}/")
    assert_policy(detail)
    assert assert_inline_scripts_carry_the_nonce(detail) == 0  # JSON-LD only: a data block
    assert '<script type="application/ld+json">' in detail.content.decode()
    for path in ("/fact-checks/", "/fact-checks/feed.rss", "/fact-checks/feed.jsonld"):
        assert_policy(client.get(path))


def test_api_docs_work_under_the_policy(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert_policy(response)
    # Swagger UI's inline init script and style carry the nonce; its bundles are our own files.
    assert assert_inline_scripts_carry_the_nonce(response) == 2
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in (
        response.content.decode()
    )
    assert_policy(Client().get("/api/v1/claims/"))  # JSON answers too (401 here)
