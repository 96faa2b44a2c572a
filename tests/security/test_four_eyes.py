"""Issue #11, reproduction 1 and the rule behind it: a verdict belongs to its author.

Only its author saves and submits it; when the claim leaves them (reassigned, unassigned, expired,
declined) their draft stays in the history but stops being current, so the next assignee never
sees, reads or submits it and starts their own; nobody approves or returns a verdict they wrote or
submitted. Tried at every door: the services (what commands and jobs call), the dashboard, the API,
the approvals page, exports, the jobs, and the database itself.
"""

import json

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from claims import workflow
from claims.errors import InvalidInput, PermissionDenied
from claims.models import ApprovalVote, Claim, Verdict
from reviewers.models import Assignment, ReviewerProfile
from reviewers.tasks import expire_overdue
from tests.factories import claim_in, rating

from .conftest import api, dashboard, detail, fresh, messages_of, post_action

pytestmark = pytest.mark.django_db
S = Claim.State
DRAFT_TEXT = "CHECKER'S UNFINISHED DRAFT"


def _takes_claims(user):
    """An editor who takes a claim themselves needs a reviewer profile: the assignment policy
    (tests/security/test_assignment_policy.py) refuses anyone without one."""
    ReviewerProfile.objects.get_or_create(user=user)
    return user


def _old_draft(claim) -> Verdict:
    return Verdict.objects.get(claim=claim, summary=DRAFT_TEXT)


# --- The core: every way a claim leaves its assignee retires their draft ----------------------


def _reassign(claim, editor, checker2):
    workflow.claim_reassign(claim_id=claim.pk, assignee=checker2, actor=editor)


def _unassign(claim, editor, checker2):
    workflow.claim_unassign(claim_id=claim.pk, actor=editor)


def _expire(claim, editor, checker2):
    workflow.claim_expire(claim_id=claim.pk)


def _decline(claim, editor, checker2):
    workflow.claim_decline(claim_id=claim.pk, actor=claim.assignee, reason="On leave")


@pytest.mark.parametrize("leave", [_reassign, _unassign, _expire, _decline])
def test_a_draft_stays_its_authors_when_the_claim_leaves_them(
    leave, draft_by_checker, editor, checker, checker2
):
    claim = draft_by_checker
    draft = _old_draft(claim)
    leave(claim, editor, checker2)
    claim = fresh(claim)
    draft.refresh_from_db()
    # Kept in the history, unchanged, but no longer the claim's verdict.
    assert draft.state == Verdict.State.DRAFT and not draft.is_current
    assert draft.summary == DRAFT_TEXT and draft.author == checker
    assert workflow.current_verdict(claim) is None
    event = claim.events.first()
    assert event.details["retired_verdict"] == draft.pk
    if claim.state == S.OPEN:
        workflow.claim_assign(claim_id=claim.pk, assignee=checker2, actor=editor)
    workflow.claim_start(claim_id=claim.pk, actor=checker2)
    # The next assignee has nothing to submit: they write their own.
    with pytest.raises(InvalidInput, match="Write a verdict"):
        workflow.claim_submit(claim_id=claim.pk, actor=checker2)
    mine = workflow.verdict_save_draft(
        claim_id=claim.pk, actor=checker2, rating_id=rating().pk, summary="Mine."
    )
    assert mine.pk != draft.pk and mine.author == checker2 and mine.rationale == ""
    workflow.claim_submit(claim_id=claim.pk, actor=checker2)
    mine.refresh_from_db()
    assert mine.state == Verdict.State.SUBMITTED and mine.submitted_by == checker2


def test_only_its_author_submits_a_draft(editor, checker, checker2):
    """Data from before the fix: another person's draft is current on the claim. The assignee
    cannot submit it, on any door."""
    claim = claim_in(S.IN_REVIEW, editor=editor, checker=checker2)
    Verdict.objects.create(
        claim=claim, author=checker, rating=rating(), summary=DRAFT_TEXT, is_current=True
    )
    with pytest.raises(PermissionDenied, match="not yours: only its author can submit it"):
        workflow.claim_submit(claim_id=claim.pk, actor=checker2)
    refused = api(checker2).post(f"/api/v1/claims/{claim.pk}/submit/", {})
    assert refused.status_code == 403
    assert "only its author can submit it" in detail(refused)
    assert fresh(claim).state == S.IN_REVIEW
    # Saving their own draft retires the other one instead of continuing it.
    workflow.verdict_save_draft(
        claim_id=claim.pk, actor=checker2, rating_id=rating().pk, summary="Mine."
    )
    assert not _old_draft(claim).is_current
    assert workflow.current_verdict(claim).author == checker2


# --- Reproduction 1, over the API --------------------------------------------------------------


def test_reproduction_1_reassign_to_self_over_the_api(draft_by_checker, editor, editor2, checker):
    claim = draft_by_checker
    old = _old_draft(claim)
    desk = api(editor)
    # The editor takes the claim (the assignment policy is another rule; the core's reassign).
    workflow.claim_reassign(claim_id=claim.pk, assignee=_takes_claims(editor), actor=editor)

    # The checker's draft is not theirs to read...
    seen = desk.get(f"/api/v1/claims/{claim.pk}/")
    assert seen.status_code == 200 and seen.json()["current_verdict"] is None
    assert DRAFT_TEXT not in json.dumps(seen.json())
    listed = desk.get("/api/v1/verdicts/", {"claim": claim.pk})
    assert listed.status_code == 200 and listed.json()["results"] == []
    assert desk.get(f"/api/v1/verdicts/{old.pk}/").status_code == 404
    # ...nor to submit, before or after starting.
    refused = desk.post(f"/api/v1/claims/{claim.pk}/submit/", {})
    assert refused.status_code == 409 and "it is assigned" in detail(refused)
    assert desk.post(f"/api/v1/claims/{claim.pk}/start/", {}).status_code == 200
    refused = desk.post(f"/api/v1/claims/{claim.pk}/submit/", {})
    assert refused.status_code == 400 and "Write a verdict" in detail(refused)
    assert fresh(claim).state == S.IN_REVIEW

    # Their own verdict goes through, and then another editor must approve it.
    version = fresh(claim).version
    saved = desk.post(
        f"/api/v1/claims/{claim.pk}/save-draft/",
        {"rating": rating().pk, "summary": "The editor's own check.", "version": version},
    )
    assert saved.status_code == 200, saved.json()
    assert saved.json()["current_verdict"]["summary"] == "The editor's own check."
    assert desk.post(f"/api/v1/claims/{claim.pk}/submit/", {}).status_code == 200
    for action, body in (("approve", {}), ("return", {"note": "again"})):
        refused = desk.post(f"/api/v1/claims/{claim.pk}/{action}/", body)
        assert refused.status_code == 403
        assert detail(refused).startswith("You wrote this verdict")
    assert api(editor2).post(f"/api/v1/claims/{claim.pk}/approve/", {}).status_code == 200
    verdict = workflow.current_verdict(fresh(claim))
    assert verdict.summary == "The editor's own check."
    assert (verdict.author, verdict.submitted_by, verdict.decided_by) == (editor, editor, editor2)
    # The checker still reads their own draft, kept in the history.
    mine = api(checker).get(f"/api/v1/verdicts/{old.pk}/")
    assert mine.status_code == 200 and mine.json()["summary"] == DRAFT_TEXT


# --- Reproduction 1, on the dashboard ----------------------------------------------------------


def test_reproduction_1_on_the_dashboard(draft_by_checker, editor, editor2, checker):
    claim = draft_by_checker
    old = _old_draft(claim)
    workflow.claim_reassign(claim_id=claim.pk, assignee=_takes_claims(editor), actor=editor)
    desk = dashboard(editor)

    page = desk.get(reverse("claims:claim", args=[claim.pk]))
    assert page.status_code == 200
    assert DRAFT_TEXT.encode() not in page.content
    assert b"half-checked notes" not in page.content
    assert page.context["forms"]["verdict"].initial.get("summary") is None
    refused = desk.get(reverse("claims:verdict", args=[old.pk]))
    assert refused.status_code == 403 and DRAFT_TEXT.encode() not in refused.content

    # "Submit" with an empty form: refused, nothing saved, the claim does not move.
    before = fresh(claim)
    empty = post_action(
        desk, claim, "verdict", {"rating": "", "summary": "", "rationale": "", "intent": "submit"}
    )
    assert empty.status_code == 400
    assert any("The verdict is empty" in m for m in messages_of(empty))
    after = fresh(claim)
    assert (after.state, after.version) == (before.state, before.version)
    assert not Verdict.objects.filter(claim=claim, author=editor).exists()

    # Only reasoning typed: still empty as a verdict; refused, and the form keeps the text.
    typed = post_action(
        desk,
        claim,
        "verdict",
        {"rating": "", "summary": "", "rationale": "My reasoning so far", "intent": "submit"},
    )
    assert typed.status_code == 400 and b"My reasoning so far" in typed.content
    assert fresh(claim).state == before.state

    done = post_action(
        desk,
        claim,
        "verdict",
        {"rating": rating().pk, "summary": "Editor's own.", "rationale": "", "intent": "submit"},
    )
    assert done.status_code == 302
    decide = post_action(desk, claim, "decide", {"note": "", "intent": "approve"})
    assert decide.status_code == 403
    assert any("You wrote this verdict" in m for m in messages_of(decide))

    # The approval queue shows the editor's verdict, never the checker's draft.
    queue = dashboard(editor2).get(reverse("claims:approvals"))
    assert b"Editor&#x27;s own." in queue.content or b"Editor's own." in queue.content
    assert DRAFT_TEXT.encode() not in queue.content
    ok = post_action(dashboard(editor2), claim, "decide", {"note": "", "intent": "approve"})
    assert ok.status_code == 302 and fresh(claim).state == S.APPROVED


def test_the_next_fact_checker_never_sees_the_old_draft(draft_by_checker, editor, checker2):
    claim = draft_by_checker
    old = _old_draft(claim)
    workflow.claim_reassign(claim_id=claim.pk, assignee=checker2, actor=editor)
    page = dashboard(checker2).get(reverse("claims:claim", args=[claim.pk]))
    assert page.status_code == 200 and DRAFT_TEXT.encode() not in page.content
    assert dashboard(checker2).get(reverse("claims:verdict", args=[old.pk])).status_code == 403
    client = api(checker2)
    assert client.get(f"/api/v1/claims/{claim.pk}/").json()["current_verdict"] is None
    assert client.get(f"/api/v1/verdicts/{old.pk}/").status_code == 404
    assert DRAFT_TEXT not in json.dumps(client.get("/api/v1/verdicts/").json())


def test_exports_do_not_carry_a_retired_draft(draft_by_checker, editor):
    claim = draft_by_checker
    workflow.claim_reassign(claim_id=claim.pk, assignee=_takes_claims(editor), actor=editor)
    response = dashboard(editor).get(
        reverse("exports:export"), {"format": "json", "state": ["assigned", "in_review"]}
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert str(claim.pk).encode() in body
    assert DRAFT_TEXT.encode() not in body


def test_a_returned_verdict_is_not_handed_to_the_next_assignee(editor, editor2, checker, checker2):
    claim = claim_in(S.SUBMITTED, editor=editor, checker=checker)
    workflow.claim_return(claim_id=claim.pk, actor=editor2, note="Cite the ministry.")
    returned = workflow.current_verdict(fresh(claim))
    workflow.claim_reassign(claim_id=claim.pk, assignee=checker2, actor=editor)
    returned.refresh_from_db()
    assert not returned.is_current and returned.state == Verdict.State.RETURNED
    page = dashboard(checker2).get(reverse("claims:claim", args=[claim.pk]))
    # The history keeps the editor's note; the returned work itself is not handed over.
    assert page.context["verdict"] is None and page.context["returned"] is None
    assert b"Returned by" not in page.content
    assert page.context["forms"]["verdict"].initial.get("summary") is None


# --- The jobs -----------------------------------------------------------------------------------


def test_the_expiry_job_retires_the_draft(draft_by_checker, editor, checker2):
    claim = draft_by_checker
    Assignment.objects.filter(claim=claim, state="active").update(
        due_at=timezone.now() - timezone.timedelta(days=3)
    )
    assert expire_overdue() == 1  # the Celery task's body, as the worker runs it
    claim = fresh(claim)
    assert claim.state == S.OPEN and claim.events.first().transition == "expire"
    assert not _old_draft(claim).is_current
    assert workflow.current_verdict(claim) is None


# --- Votes: never by the author or the submitter ------------------------------------------------


def test_nobody_votes_on_a_verdict_they_wrote_or_submitted(editor, editor2, checker):
    # editor2 wrote and submitted
    claim = claim_in(S.SUBMITTED, editor=editor, checker=_takes_claims(editor2))
    verdict = workflow.current_verdict(claim)
    assert verdict.submitted_by == editor2
    for call in (
        lambda: workflow.claim_approve(claim_id=claim.pk, actor=editor2),
        lambda: workflow.claim_return(claim_id=claim.pk, actor=editor2, note="x"),
    ):
        with pytest.raises(PermissionDenied, match="You wrote this verdict"):
            call()
    # The database refuses the vote too, whoever writes it and whatever the copied author says.
    with pytest.raises(IntegrityError, match="Four eyes"), transaction.atomic():
        ApprovalVote.objects.create(
            verdict=verdict, editor=editor2, verdict_author=checker, decision="approve"
        )
    assert not verdict.votes.exists()


def test_the_database_keeps_submission_and_approval_honest(editor, editor2, checker):
    claim = claim_in(S.IN_REVIEW, editor=editor, checker=checker)
    draft = workflow.verdict_save_draft(
        claim_id=claim.pk, actor=checker, rating_id=rating().pk, summary="s"
    )
    # Submitted by someone else than the author: a check constraint.
    with pytest.raises(IntegrityError), transaction.atomic():
        Verdict.objects.filter(pk=draft.pk).update(state="submitted", submitted_by=editor)
    # Submitted without saying by whom: a trigger.
    with pytest.raises(IntegrityError, match="submitted only by its author"), transaction.atomic():
        Verdict.objects.filter(pk=draft.pk).update(state="submitted")
    # Approved without an approving vote by another person: a trigger.
    with pytest.raises(IntegrityError, match="approving vote"), transaction.atomic():
        Verdict.objects.filter(pk=draft.pk).update(state="approved", decided_by=editor)
    # A verdict never changes hands.
    with pytest.raises(IntegrityError, match="never change"), transaction.atomic():
        Verdict.objects.filter(pk=draft.pk).update(author=editor2)
    draft.refresh_from_db()
    assert (draft.state, draft.author) == (Verdict.State.DRAFT, checker)


def test_a_correction_is_not_approved_by_whoever_proposed_it(published, editor, editor2):
    from claims import corrections

    correction = corrections.correction_propose(
        claim_id=published.pk,
        actor=editor2,
        rating_id=rating("misleading").pk,
        summary="Corrected.",
        rationale="",
        note="We misread the table.",
    )
    assert correction.submitted_by == editor2
    refused = api(editor2).post(f"/api/v1/claims/{published.pk}/approve-correction/", {})
    assert refused.status_code == 403 and detail(refused).startswith("You wrote this correction")
    approved = api(editor).post(f"/api/v1/claims/{published.pk}/approve-correction/", {})
    assert approved.status_code == 200


# --- Management commands ------------------------------------------------------------------------


def test_the_demo_command_publishes_with_four_eyes(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    call_command("seed_demo", verbosity=0)
    published = Claim.objects.filter(state=S.PUBLISHED)
    assert published.exists()
    for claim in published:
        verdict = workflow.current_verdict(claim)
        assert verdict.submitted_by_id == verdict.author_id
        approvers = set(verdict.votes.values_list("editor_id", flat=True))
        assert approvers and verdict.author_id not in approvers
