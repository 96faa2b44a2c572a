"""Corrections of published fact-checks: proposed, approved by another editor (or returned),
shown as a dated note, dateModified in the JSON-LD, every version kept in the history."""

import json
import re

import pytest
from django.test import override_settings

from claims import corrections
from claims.errors import InvalidInput, PermissionDenied, StaleVersion, TransitionNotAllowed
from claims.models import Claim, ClaimEvent, Verdict
from tests.exports.data import verdict_claim
from tests.factories import rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(editor, checker):
    return verdict_claim(
        author=checker, decider=editor, rating_slug="false", summary="Old summary."
    )


def propose(claim, actor, **overrides):
    fields = {
        "claim_id": claim.pk,
        "actor": actor,
        "rating_id": rating("mostly-false").pk,
        "summary": "New summary.",
        "rationale": "A second source changes the picture.",
        "note": "We had missed the revised figures.",
    }
    fields.update(overrides)
    return corrections.correction_propose(**fields)


def test_correction_goes_through_another_editor_and_replaces_the_verdict(
    client, published, editor, editor2
):
    old = published.verdicts.get()
    version = Claim.objects.get(pk=published.pk).version
    correction = propose(published, editor, expected_version=version)
    assert (correction.state, correction.is_current, correction.correction_of) == (
        "submitted",
        False,
        old,
    )
    # Until approved, the public page still shows the published verdict.
    html = client.get(f"/fact-checks/{published.pk}/").content.decode()
    assert "Old summary." in html and "New summary." not in html

    corrections.correction_approve(claim_id=published.pk, actor=editor2, note="Checked.")
    claim = Claim.objects.get(pk=published.pk)
    assert claim.state == "published" and claim.version == version + 2
    old.refresh_from_db()
    correction.refresh_from_db()
    assert (old.state, old.is_current) == ("superseded", False)
    assert (correction.state, correction.is_current, correction.decided_by) == (
        "approved",
        True,
        editor2,
    )
    events = list(claim.events.order_by("pk").values_list("transition", flat=True))
    assert events[-2:] == ["correct", "approve_correction"]
    approved = claim.events.get(transition="approve_correction")
    assert approved.details["previous"]["summary"] == "Old summary."
    assert approved.details["previous"]["rating"] == "False"
    assert approved.details["correction_note"] == "We had missed the revised figures."

    html = client.get(f"/fact-checks/{published.pk}/").content.decode()
    assert "New summary." in html and "Mostly false" in html
    day = f"{correction.decided_at:%-d %B %Y}"
    assert f"Correction, {day}:</strong> We had missed the revised figures." in html
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    assert data["dateModified"] == correction.decided_at.isoformat()
    assert data["reviewRating"]["alternateName"] == "Mostly false"
    assert data["datePublished"] == claim.published_at.isoformat()


def test_author_of_a_correction_cannot_approve_it(published, editor):
    propose(published, editor)
    with pytest.raises(PermissionDenied, match="You wrote this correction: another editor"):
        corrections.correction_approve(claim_id=published.pk, actor=editor)


def test_fact_checker_cannot_correct_or_decide(published, checker, editor):
    with pytest.raises(PermissionDenied, match="Only an editor can correct this claim; checker"):
        propose(published, checker)
    propose(published, editor)
    with pytest.raises(
        PermissionDenied,
        match="Only an editor who did not write the correction can approve a correction of this",
    ):
        corrections.correction_approve(claim_id=published.pk, actor=checker)


def test_only_published_fact_checks_are_corrected(editor, checker):
    claim = verdict_claim(author=checker, decider=editor, state=Claim.State.APPROVED)
    with pytest.raises(
        TransitionNotAllowed,
        match="Cannot correct this claim: it is approved. From approved it can: publish",
    ):
        propose(claim, editor)


def test_refusals_in_words(published, editor, editor2):
    with pytest.raises(InvalidInput, match="Say what was corrected and why"):
        propose(published, editor, note=" ")
    with pytest.raises(InvalidInput, match="Choose a rating from the scale"):
        propose(published, editor, rating_id=None)
    with pytest.raises(InvalidInput, match="The correction changes nothing"):
        propose(
            published,
            editor,
            rating_id=rating("false").pk,
            summary="Old summary.",
            rationale="The ministry's own figures say otherwise.",
        )
    stale = published.version + 5
    with pytest.raises(StaleVersion, match=rf"you had version {stale}, it is now version 1\)"):
        propose(published, editor, expected_version=stale)
    with pytest.raises(InvalidInput, match="There is no correction waiting"):
        corrections.correction_approve(claim_id=published.pk, actor=editor2)
    propose(published, editor)
    with pytest.raises(InvalidInput, match="A correction by editor is already waiting"):
        propose(published, editor2)


def test_returned_correction_leaves_the_published_verdict(client, published, editor, editor2):
    with pytest.raises(InvalidInput, match="a returned correction needs a note"):
        corrections.correction_return(claim_id=published.pk, actor=editor2, note="")
    correction = propose(published, editor)
    corrections.correction_return(claim_id=published.pk, actor=editor2, note="Cite the source.")
    correction.refresh_from_db()
    assert (correction.state, correction.decision_note) == ("returned", "Cite the source.")
    current = Verdict.objects.get(claim=published, is_current=True)
    assert current.summary == "Old summary." and current.state == "approved"
    html = client.get(f"/fact-checks/{published.pk}/").content.decode()
    assert "Correction" not in html and "dateModified" not in html
    assert ClaimEvent.objects.filter(claim=published, transition="return_correction").exists()
    propose(published, editor, summary="Second try.")  # a new proposal is possible again


@override_settings(VERDICT_APPROVALS_REQUIRED=2)
def test_corrections_need_as_many_approvals_as_verdicts(published, editor, editor2):
    from tests.factories import editor as make_editor

    third = make_editor("editor3")
    propose(published, editor)
    corrections.correction_approve(claim_id=published.pk, actor=editor2)
    assert Verdict.objects.get(claim=published, is_current=True).summary == "Old summary."
    assert published.events.first().transition == "approve_correction_vote"
    with pytest.raises(InvalidInput, match="already voted"):
        corrections.correction_approve(claim_id=published.pk, actor=editor2)
    corrections.correction_approve(claim_id=published.pk, actor=third)
    assert Verdict.objects.get(claim=published, is_current=True).summary == "New summary."


def test_two_corrections_show_two_dated_notes(client, published, editor, editor2):
    propose(published, editor)
    corrections.correction_approve(claim_id=published.pk, actor=editor2)
    propose(published, editor2, summary="Third text.", note="Second fix.")
    corrections.correction_approve(claim_id=published.pk, actor=editor)
    html = client.get(f"/fact-checks/{published.pk}/").content.decode()
    assert html.count('class="correction"') == 2
    assert "We had missed the revised figures." in html and "Second fix." in html
    assert Verdict.objects.filter(claim=published).count() == 3
    assert list(
        Verdict.objects.filter(claim=published).order_by("pk").values_list("state", flat=True)
    ) == ["superseded", "superseded", "approved"]


def test_correction_pages(client, published, editor, editor2, checker):
    url = f"/reports/corrections/{published.pk}/"
    client.force_login(checker)
    assert client.get(url).status_code == 403
    client.force_login(editor)
    page = client.get(url).content.decode()
    assert "Propose a correction" in page and "Old summary." in page
    version = Claim.objects.get(pk=published.pk).version
    response = client.post(
        url,
        {
            "action": "propose",
            "rating": rating("half-true").pk,
            "summary": "Half right.",
            "rationale": "New data.",
            "note": "Figures were revised.",
            "version": version,
        },
        follow=True,
    )
    assert "Correction sent to another editor for approval." in response.content.decode()
    assert "You wrote this correction" in response.content.decode()
    assert "Figures were revised." in client.get("/reports/corrections/").content.decode()
    # A stale form is refused in words, and nothing changes.
    client.force_login(editor2)
    response = client.post(url, {"action": "approve", "note": "", "version": version})
    assert response.status_code == 409
    assert "This claim was changed since you loaded it" in response.content.decode()
    response = client.post(
        url, {"action": "approve", "note": "ok", "version": version + 1}, follow=True
    )
    assert "Correction approved." in response.content.decode()
    public = client.get(f"/fact-checks/{published.pk}/").content.decode()
    assert "Half right." in public and "Figures were revised." in public
