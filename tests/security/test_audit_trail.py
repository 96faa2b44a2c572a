"""Every change to a claim, its verdict, its evidence or its assignment bumps the claim's version
and writes a ClaimEvent, whichever door it came through (issue #11)."""

import pytest
from django.urls import reverse

from claims import corrections, services, workflow
from claims.errors import StaleVersion
from claims.models import Claim
from reviewers.models import Assignment
from tests.factories import claim_in, rating

from .conftest import api, dashboard, fresh

pytestmark = pytest.mark.django_db
S = Claim.State


class Snapshot:
    def __init__(self, claim):
        claim = fresh(claim)
        self.version, self.events = claim.version, claim.events.count()


def _changed_once(claim, before: Snapshot, transition: str, actor):
    after = fresh(claim)
    assert after.version == before.version + 1
    event = after.events.first()
    assert (event.transition, event.actor) == (transition, actor)
    assert after.events.count() == before.events + 1
    return event


def test_evidence_is_a_versioned_change_at_every_door(editor, checker):
    claim = claim_in(S.IN_REVIEW, editor=editor, checker=checker)

    before = Snapshot(claim)
    services.evidence_add(claim_id=claim.pk, actor=checker, url="https://a.example/")
    event = _changed_once(claim, before, "add_evidence", checker)
    assert event.details["url"] == "https://a.example/"

    before = Snapshot(claim)
    response = api(checker).post(
        f"/api/v1/claims/{claim.pk}/evidence/", {"url": "https://b.example/"}
    )
    assert response.status_code == 201
    _changed_once(claim, before, "add_evidence", checker)

    before = Snapshot(claim)
    page = dashboard(editor).post(
        reverse("claims:claim_action", args=[claim.pk, "evidence"]),
        {"version": before.version, "url": "https://c.example/", "stance": "refutes"},
    )
    assert page.status_code == 302
    _changed_once(claim, before, "add_evidence", editor)


def test_evidence_with_a_stale_version_is_a_conflict(editor, checker):
    claim = claim_in(S.IN_REVIEW, editor=editor, checker=checker)
    with pytest.raises(StaleVersion, match="checker started work on it at"):
        services.evidence_add(
            claim_id=claim.pk,
            actor=checker,
            url="https://a.example/",
            expected_version=claim.version - 2,
        )
    assert not claim.evidence.exists()


def test_reassignment_records_the_retired_draft_and_the_assignments(editor, checker, checker2):
    claim = claim_in(S.ASSIGNED, editor=editor, checker=checker)
    draft = workflow.verdict_save_draft(
        claim_id=claim.pk, actor=checker, rating_id=rating().pk, summary="Half done"
    )
    before = Snapshot(claim)
    workflow.claim_reassign(claim_id=claim.pk, assignee=checker2, actor=editor)
    event = _changed_once(claim, before, "reassign", editor)
    assert event.details["retired_verdict"] == draft.pk
    states = dict(Assignment.objects.filter(claim=claim).values_list("reviewer_id", "state"))
    assert states == {checker.pk: "ended", checker2.pk: "active"}


def test_each_step_of_a_correction_is_versioned(editor, editor2, checker):
    claim = claim_in(S.PUBLISHED, editor=editor, checker=checker)
    before = Snapshot(claim)
    corrections.correction_propose(
        claim_id=claim.pk,
        actor=editor2,
        rating_id=rating("misleading").pk,
        summary="Corrected.",
        rationale="",
        note="Fixed.",
        add_evidence=[{"url": "https://new.example/"}],
    )
    _changed_once(claim, before, "correct", editor2)
    before = Snapshot(claim)
    corrections.correction_approve(claim_id=claim.pk, actor=editor)
    event = _changed_once(claim, before, "approve_correction", editor)
    assert event.details["previous"]["summary"] == "Not so."
    assert len(event.details["added_evidence"]) == 1
