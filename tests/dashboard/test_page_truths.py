"""What the pages say matches what the database holds: why a source failed, who approved."""

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import workflow
from claims.models import Claim, Evidence

pytestmark = pytest.mark.django_db

REASON = "The site 127.0.0.1 refused the connection (nothing listens on port 9)."


def broken_source(claim, *, status=Evidence.LinkStatus.ERROR, http_status=None, detail=REASON):
    return Evidence.objects.create(
        claim=claim,
        url="https://stats.example.org/gone",
        title="Statistics release",
        link_status=status,
        http_status=http_status,
        link_detail=detail,
        checked_at=timezone.now(),
    )


def test_claim_page_shows_why_a_source_failed(checker_client, assigned_claim):
    broken_source(assigned_claim)
    html = checker_client.get(reverse("claims:claim", args=[assigned_claim.pk])).content.decode()
    assert "The source “Statistics release” could not be reached (checked " in html
    assert REASON in html
    assert "(Error, checked" not in html  # the bare label alone said nothing


def test_approvals_page_shows_why_a_source_is_gone(editor2_client, submitted_claim):
    broken_source(
        submitted_claim,
        status=Evidence.LinkStatus.GONE,
        http_status=404,
        detail="The page is gone: the server answered 404 Not Found.",
    )
    html = editor2_client.get(reverse("claims:approvals")).content.decode()
    assert "The source “Statistics release” is gone (HTTP 404, checked " in html
    assert "The page is gone: the server answered 404 Not Found." in html


def test_a_failure_without_a_recorded_reason_keeps_the_short_sentence(
    checker_client, assigned_claim
):
    broken_source(assigned_claim, detail="")
    html = checker_client.get(reverse("claims:claim", args=[assigned_claim.pk])).content.decode()
    assert "The source “Statistics release” could not be reached (Error, checked " in html


def test_approved_claim_names_its_author_and_its_approver_and_no_pending_vote(
    editor_client, editor, submitted_claim
):
    workflow.claim_approve(claim_id=submitted_claim.pk, actor=editor, note="Well sourced.")
    claim = Claim.objects.get(pk=submitted_claim.pk)
    assert claim.state == Claim.State.APPROVED
    html = editor_client.get(reverse("claims:claim", args=[claim.pk])).content.decode()
    assert "Written by checker · approved by editor" in html
    assert "Approved by checker" not in html
    assert "it waits for other editors" not in html
    verdict = claim.verdicts.get(is_current=True)
    html = editor_client.get(reverse("claims:verdict", args=[verdict.pk])).content.decode()
    assert "Written by checker · approved by editor" in html


def test_vote_waiting_for_other_editors_is_said_only_while_submitted(
    editor_client, editor, editor2, submitted_claim, settings
):
    settings.VERDICT_APPROVALS_REQUIRED = 2
    workflow.claim_approve(claim_id=submitted_claim.pk, actor=editor, note="")
    assert Claim.objects.get(pk=submitted_claim.pk).state == Claim.State.SUBMITTED
    url = reverse("claims:claim", args=[submitted_claim.pk])
    html = editor_client.get(url).content.decode()
    assert "You have voted on this verdict; it waits for other editors." in html
    assert "Written by checker · waiting for an editor" in html

    workflow.claim_approve(claim_id=submitted_claim.pk, actor=editor2, note="")
    assert Claim.objects.get(pk=submitted_claim.pk).state == Claim.State.APPROVED
    html = editor_client.get(url).content.decode()
    assert "it waits for other editors" not in html
    assert "Written by checker · approved by editor, editor2" in html


def test_returned_verdict_names_who_returned_it(editor_client, editor, submitted_claim):
    workflow.claim_return(claim_id=submitted_claim.pk, actor=editor, note="Add a source.")
    verdict = submitted_claim.verdicts.order_by("-pk").first()
    html = editor_client.get(reverse("claims:verdict", args=[verdict.pk])).content.decode()
    assert "Written by checker · returned by editor" in html
