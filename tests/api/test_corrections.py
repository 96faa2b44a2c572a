"""Corrections of published fact-checks over the API: propose, four eyes, approve or return."""

import pytest

from claims.models import Claim, Verdict
from tests.api.conftest import client_for
from tests.factories import claim_in, rating

pytestmark = pytest.mark.django_db
S = Claim.State


def test_correction_is_proposed_then_approved_by_another_editor(as_editor, editor2, checker):
    as_editor2 = client_for(editor2)
    claim = claim_in(S.PUBLISHED, editor=editor2, checker=checker)
    body = {
        "version": claim.version,
        "rating": rating("mostly-false").pk,
        "summary": "Mostly false: the figure was revised.",
        "note": "The ministry revised its figure on 2 March.",
    }
    proposed = as_editor.post(f"/api/v1/claims/{claim.pk}/correct/", body, format="json")
    assert proposed.status_code == 200, proposed.json()
    # Four eyes: the editor who wrote the correction cannot approve it.
    own = as_editor.post(f"/api/v1/claims/{claim.pk}/approve-correction/", {}, format="json")
    assert own.status_code == 403
    approved = as_editor2.post(
        f"/api/v1/claims/{claim.pk}/approve-correction/", {"note": "Checked."}, format="json"
    )
    assert approved.status_code == 200, approved.json()
    current = Verdict.objects.get(claim=claim, is_current=True)
    assert current.summary == "Mostly false: the figure was revised."
    assert current.correction_note == "The ministry revised its figure on 2 March."
    assert Verdict.objects.filter(claim=claim, state=Verdict.State.SUPERSEDED).count() == 1
    assert Claim.objects.get(pk=claim.pk).state == S.PUBLISHED


def test_correction_refusals_are_clear(as_editor, as_checker, editor2, checker):
    unpublished = claim_in(S.APPROVED, editor=editor2, checker=checker)
    body = {"summary": "x", "rating": rating("false").pk, "note": "n"}
    refused = as_editor.post(f"/api/v1/claims/{unpublished.pk}/correct/", body, format="json")
    assert refused.status_code in {400, 409}
    assert refused.json()["detail"].startswith("Cannot correct this claim: it is approved.")
    claim = claim_in(S.PUBLISHED, editor=editor2, checker=checker)
    no_note = as_editor.post(f"/api/v1/claims/{claim.pk}/correct/", {"summary": "x"}, format="json")
    assert no_note.status_code == 400 and "note" in no_note.json()["errors"]
    checker_try = as_checker.post(f"/api/v1/claims/{claim.pk}/correct/", body, format="json")
    assert checker_try.status_code == 403
