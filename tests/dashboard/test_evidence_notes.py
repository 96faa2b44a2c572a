"""The claim page and the approval queue say what the link and quote checks found."""

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import services, workflow
from claims.models import Evidence
from tests.factories import ClaimFactory, rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(editor2, checker):
    claim = ClaimFactory()
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=editor2)
    services.evidence_add(
        claim_id=claim.pk,
        actor=checker,
        url="https://stats.example/jobs",
        title="Jobs data",
        excerpt="Unemployment was 5.2%.",
    )
    gone = services.evidence_add(
        claim_id=claim.pk, actor=checker, url="https://old.example/x", title="Old page"
    )
    Evidence.objects.filter(pk=gone.pk).update(
        link_status=Evidence.LinkStatus.GONE, http_status=404, checked_at=timezone.now()
    )
    Evidence.objects.filter(excerpt__startswith="Unemployment").update(
        quote_status=Evidence.QuoteStatus.NOT_FOUND,
        checked_at=timezone.now(),
        quote_checked_at=timezone.now(),
    )
    workflow.verdict_save_draft(
        claim_id=claim.pk, actor=checker, rating_id=rating().pk, summary="False."
    )
    workflow.claim_submit(claim_id=claim.pk, actor=checker)
    return claim


def test_claim_page_shows_quote_and_link_problems(client, checker, submitted):
    client.force_login(checker)
    page = client.get(reverse("claims:claim", args=[submitted.pk])).content.decode()
    assert "Quote not found in the source as fetched on" in page
    assert "The source “Old page” is gone (Gone (404), checked" in page


def test_approval_queue_warns_about_unverified_quotes(client, editor, submitted):
    client.force_login(editor)
    page = client.get(reverse("claims:approvals")).content.decode()
    assert "Unverified quote: quote not found in the source as fetched on" in page
    assert "The source “Old page” is gone" in page


def test_published_claim_page_links_the_public_page_and_corrections(client, editor, checker):
    from tests.factories import claim_in

    claim = claim_in("published", editor=editor, checker=checker)
    client.force_login(editor)
    page = client.get(reverse("claims:claim", args=[claim.pk])).content.decode()
    assert f'href="/fact-checks/{claim.pk}/"' in page
    assert f'href="/reports/corrections/{claim.pk}/"' in page
    client.force_login(checker)
    page = client.get(reverse("claims:claim", args=[claim.pk])).content.decode()
    assert "Correct this fact-check" not in page


def test_editor_sees_why_an_open_claim_has_nobody(client, editor, checker):
    from reviewers.models import ReviewerProfile

    ReviewerProfile.objects.filter(user=checker).update(languages="fr")
    claim = ClaimFactory()
    client.force_login(editor)
    page = client.get(reverse("claims:claim", args=[claim.pk])).content.decode()
    assert "Why: " in page and "checker" in page
