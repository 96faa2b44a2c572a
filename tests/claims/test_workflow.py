"""Every transition of the claim state machine: allowed, refused (with its message), stale."""

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings

from claims import workflow
from claims.errors import InvalidInput, PermissionDenied, StaleVersion, TransitionNotAllowed
from claims.models import ApprovalVote, Claim, ClaimEvent, Verdict
from reviewers.models import Assignment, ReviewerProfile
from tests.factories import ClaimFactory, rating

pytestmark = pytest.mark.django_db
S = Claim.State


def reviewer(user):
    """Anyone assigned needs a reviewer profile (the assignment policy reads it)."""
    ReviewerProfile.objects.get_or_create(user=user)
    return user


def drive(claim, to: str, editor, checker):
    """Take a claim through the workflow to state `to` (the way people would)."""
    cid = claim.pk
    path = [S.OPEN, S.ASSIGNED, S.IN_REVIEW, S.SUBMITTED, S.APPROVED, S.PUBLISHED]
    if to == S.DISMISSED:
        workflow.claim_dismiss(claim_id=cid, actor=editor, reason="opinion")
        return Claim.objects.get(pk=cid)
    if to == S.CANDIDATE:
        return Claim.objects.get(pk=cid)
    steps = {
        S.OPEN: lambda: workflow.claim_promote(claim_id=cid, actor=editor),
        S.ASSIGNED: lambda: workflow.claim_assign(claim_id=cid, assignee=checker, actor=editor),
        S.IN_REVIEW: lambda: workflow.claim_start(claim_id=cid, actor=checker),
        S.SUBMITTED: lambda: (
            workflow.verdict_save_draft(
                claim_id=cid,
                actor=checker,
                rating_id=rating().pk,
                summary="Not so.",
                rationale="Because.",
            ),
            workflow.claim_submit(claim_id=cid, actor=checker),
        ),
        S.APPROVED: lambda: workflow.claim_approve(claim_id=cid, actor=editor, note="ok"),
        S.PUBLISHED: lambda: workflow.claim_publish(claim_id=cid, actor=editor),
    }
    for state in path:
        steps[state]()
        if state == to:
            break
    return Claim.objects.get(pk=cid)


@pytest.fixture
def claim(db):
    return ClaimFactory(state=S.CANDIDATE)


def attempt(name, claim, editor, checker):
    """Call transition `name` as the actor that would be allowed to do it."""
    cid, v = claim.pk, None
    calls = {
        "promote": lambda: workflow.claim_promote(claim_id=cid, actor=editor),
        "dismiss": lambda: workflow.claim_dismiss(claim_id=cid, actor=editor, reason="opinion"),
        "restore": lambda: workflow.claim_restore(claim_id=cid, actor=editor),
        "assign": lambda: workflow.claim_assign(claim_id=cid, assignee=checker, actor=None),
        "reassign": lambda: workflow.claim_reassign(
            claim_id=cid, assignee=reviewer(editor), actor=editor
        ),
        "unassign": lambda: workflow.claim_unassign(claim_id=cid, actor=editor),
        "expire": lambda: workflow.claim_expire(claim_id=cid),
        "decline": lambda: workflow.claim_decline(claim_id=cid, actor=checker, reason="busy"),
        "start": lambda: workflow.claim_start(claim_id=cid, actor=checker),
        "save_draft": lambda: workflow.verdict_save_draft(
            claim_id=cid, actor=checker, rating_id=rating().pk, summary="s"
        ),
        "submit": lambda: workflow.claim_submit(claim_id=cid, actor=checker),
        "return": lambda: workflow.claim_return(claim_id=cid, actor=editor, note="More sources."),
        "approve": lambda: workflow.claim_approve(claim_id=cid, actor=editor),
        "publish": lambda: workflow.claim_publish(claim_id=cid, actor=editor),
    }
    del v
    return calls[name]()


REFUSED = [
    (name, state)
    for name, t in workflow.TRANSITIONS.items()
    if t.target is not None
    for state in S.values
    if state not in t.sources
]


@pytest.mark.parametrize(("name", "state"), REFUSED)
def test_refused_transition_says_state_and_what_is_allowed(name, state, claim, editor, checker):
    claim = drive(claim, state, editor, checker)
    version, events = claim.version, claim.events.count()
    with pytest.raises(TransitionNotAllowed) as err:
        attempt(name, claim, editor, checker)
    label = S(state).label.lower()
    assert f"it is {label}" in str(err.value)
    allowed = workflow.allowed_transitions(state)
    words = ", ".join(workflow.action_words(a) for a in allowed) if allowed else "nothing"
    assert f"From {label} it can: {words}." in str(err.value)
    assert "_" not in str(err.value)  # people's words, never internal names like set_priority
    claim.refresh_from_db()
    assert (claim.state, claim.version, claim.events.count()) == (state, version, events)


ALLOWED = [
    ("promote", S.CANDIDATE, S.OPEN),
    ("dismiss", S.CANDIDATE, S.DISMISSED),
    ("dismiss", S.OPEN, S.DISMISSED),
    ("restore", S.DISMISSED, S.CANDIDATE),
    ("assign", S.OPEN, S.ASSIGNED),
    ("reassign", S.ASSIGNED, S.ASSIGNED),
    ("reassign", S.IN_REVIEW, S.ASSIGNED),
    ("unassign", S.ASSIGNED, S.OPEN),
    ("unassign", S.IN_REVIEW, S.OPEN),
    ("expire", S.ASSIGNED, S.OPEN),
    ("expire", S.IN_REVIEW, S.OPEN),
    ("decline", S.ASSIGNED, S.OPEN),
    ("decline", S.IN_REVIEW, S.OPEN),
    ("start", S.ASSIGNED, S.IN_REVIEW),
    ("save_draft", S.ASSIGNED, S.IN_REVIEW),
    ("save_draft", S.IN_REVIEW, S.IN_REVIEW),
    ("submit", S.IN_REVIEW, S.SUBMITTED),
    ("return", S.SUBMITTED, S.IN_REVIEW),
    ("approve", S.SUBMITTED, S.APPROVED),
    ("publish", S.APPROVED, S.PUBLISHED),
]


@pytest.mark.parametrize(("name", "source", "target"), ALLOWED)
def test_allowed_transition_changes_state_bumps_version_and_writes_event(
    name, source, target, claim, editor, checker
):
    claim = drive(claim, source, editor, checker)
    if name == "submit":
        workflow.verdict_save_draft(
            claim_id=claim.pk, actor=checker, rating_id=rating().pk, summary="Wrong."
        )
        claim.refresh_from_db()
    version = claim.version
    attempt(name, claim, editor, checker)
    claim.refresh_from_db()
    assert claim.state == target
    assert claim.version == version + 1
    event = claim.events.first()
    assert (event.transition, event.from_state, event.to_state) == (name, source, target)


def test_every_transition_is_covered_by_the_allowed_table():
    covered = {name for name, _, _ in ALLOWED}
    moving = {n for n, t in workflow.TRANSITIONS.items() if t.target is not None}
    assert moving == covered


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c, e, f: workflow.claim_promote(claim_id=c.pk, actor=f),
            "Only an editor can promote this claim; checker cannot.",
        ),
        (
            lambda c, e, f: workflow.claim_dismiss(claim_id=c.pk, actor=f, reason="opinion"),
            "Only an editor can dismiss this claim; checker cannot.",
        ),
        (
            lambda c, e, f: workflow.claim_promote(claim_id=c.pk, actor=None),
            "Only an editor can promote this claim; the scheduler cannot.",
        ),
    ],
)
def test_fact_checker_cannot_triage(call, message, claim, editor, checker):
    with pytest.raises(PermissionDenied) as err:
        call(claim, editor, checker)
    assert str(err.value) == message


def test_assign_by_fact_checker_refused_and_by_scheduler_allowed(claim, editor, checker):
    claim = drive(claim, S.OPEN, editor, checker)
    with pytest.raises(PermissionDenied, match="Only an editor or the scheduler can assign"):
        workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=checker)
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=None, reason="topic: x")
    claim.refresh_from_db()
    assert claim.assignee == checker and claim.due_at is not None
    assert claim.events.first().actor is None


def test_only_the_assignee_works_on_a_claim(claim, editor, checker, checker2):
    claim = drive(claim, S.ASSIGNED, editor, checker)
    for call in (
        lambda: workflow.claim_start(claim_id=claim.pk, actor=checker2),
        lambda: workflow.verdict_save_draft(
            claim_id=claim.pk, actor=checker2, rating_id=None, summary="x"
        ),
        lambda: workflow.claim_decline(claim_id=claim.pk, actor=checker2, reason="no"),
    ):
        with pytest.raises(PermissionDenied, match="Only the assignee can .*; checker2 cannot."):
            call()


def test_only_scheduler_expires(claim, editor, checker):
    claim = drive(claim, S.ASSIGNED, editor, checker)
    # The function takes no actor; the table still refuses a person.
    with pytest.raises(PermissionDenied, match="Only the scheduler can expire"):
        workflow._run("expire", claim_id=claim.pk, actor=editor, expected_version=None)


def test_cannot_assign_someone_who_is_not_a_fact_checker(claim, editor, checker):
    from tests.factories import UserFactory

    outsider = UserFactory(username="outsider")
    claim = drive(claim, S.OPEN, editor, checker)
    with pytest.raises(InvalidInput, match="outsider is not a fact-checker"):
        workflow.claim_assign(claim_id=claim.pk, assignee=outsider, actor=editor)


def test_stale_version_is_refused_with_what_changed(claim, editor, checker):
    loaded = claim.version
    workflow.claim_promote(claim_id=claim.pk, actor=editor, expected_version=loaded)
    with pytest.raises(StaleVersion) as err:
        workflow.claim_dismiss(
            claim_id=claim.pk, actor=editor, reason="opinion", expected_version=loaded
        )
    msg = str(err.value)
    assert f"you had version {loaded}, it is now version {loaded + 1}" in msg
    assert "editor promoted it at" in msg
    claim.refresh_from_db()
    assert claim.state == S.OPEN


def test_dismiss_needs_a_known_reason(claim, editor):
    with pytest.raises(InvalidInput, match="one of not_check_worthy, opinion, duplicate"):
        workflow.claim_dismiss(claim_id=claim.pk, actor=editor, reason="boring")


def test_decline_needs_a_reason_and_frees_the_claim(claim, editor, checker):
    claim = drive(claim, S.ASSIGNED, editor, checker)
    with pytest.raises(InvalidInput, match="Say why you decline"):
        workflow.claim_decline(claim_id=claim.pk, actor=checker, reason="  ")
    workflow.claim_decline(claim_id=claim.pk, actor=checker, reason="Conflict of interest")
    claim.refresh_from_db()
    assert (claim.state, claim.assignee, claim.due_at) == (S.OPEN, None, None)
    assignment = Assignment.objects.get(claim=claim)
    assert assignment.state == Assignment.State.DECLINED
    assert assignment.decline_reason == "Conflict of interest"


def test_submit_needs_rating_and_summary(claim, editor, checker):
    claim = drive(claim, S.IN_REVIEW, editor, checker)
    with pytest.raises(InvalidInput, match="Write a verdict"):
        workflow.claim_submit(claim_id=claim.pk, actor=checker)
    with pytest.raises(InvalidInput, match="The draft is empty"):
        workflow.verdict_save_draft(claim_id=claim.pk, actor=checker, rating_id=None, summary="")
    workflow.verdict_save_draft(
        claim_id=claim.pk, actor=checker, rating_id=None, summary="", rationale="Notes so far"
    )
    with pytest.raises(InvalidInput, match="needs a rating and a one-line summary"):
        workflow.claim_submit(claim_id=claim.pk, actor=checker)


def test_an_incomplete_verdict_is_not_submitted_nor_saved(claim, editor, checker):
    """The dashboard's "Submit" on an empty form: refused before anything is written."""
    claim = drive(claim, S.ASSIGNED, editor, checker)
    version = claim.version
    for rationale in ("", "Some reasoning but no rating or summary"):
        with pytest.raises(InvalidInput, match="The verdict is empty.*Nothing was saved"):
            workflow.verdict_submit(
                claim_id=claim.pk, actor=checker, rating_id=None, summary="", rationale=rationale
            )
    claim.refresh_from_db()
    assert (claim.state, claim.version) == (S.ASSIGNED, version)
    assert not claim.verdicts.exists()
    # Partly written: kept as the draft, the submission refused saying what is missing.
    with pytest.raises(InvalidInput, match="needs a rating before it is submitted"):
        workflow.verdict_submit(claim_id=claim.pk, actor=checker, rating_id=None, summary="S.")
    claim.refresh_from_db()
    assert claim.state == S.IN_REVIEW
    assert workflow.current_verdict(claim).summary == "S."
    workflow.verdict_submit(
        claim_id=claim.pk, actor=checker, rating_id=rating().pk, summary="False."
    )
    claim.refresh_from_db()
    assert claim.state == S.SUBMITTED
    assert [e.transition for e in claim.events.all()[:3]] == ["submit", "save_draft", "save_draft"]


def test_editor_never_approves_own_verdict(claim, editor, editor2):
    """Four eyes in the service: an editor who wrote the verdict cannot decide on it."""
    claim = drive(claim, S.SUBMITTED, editor2, reviewer(editor))  # editor worked the claim
    for call in (
        lambda: workflow.claim_approve(claim_id=claim.pk, actor=editor),
        lambda: workflow.claim_return(claim_id=claim.pk, actor=editor, note="x"),
    ):
        with pytest.raises(PermissionDenied, match="You wrote this verdict"):
            call()
    workflow.claim_approve(claim_id=claim.pk, actor=editor2)
    claim.refresh_from_db()
    assert claim.state == S.APPROVED


def test_four_eyes_database_constraints(claim, editor, checker):
    claim = drive(claim, S.SUBMITTED, editor, checker)
    verdict = claim.verdicts.get(is_current=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalVote.objects.create(
            verdict=verdict, editor=checker, verdict_author=checker, decision="approve"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Verdict.objects.filter(pk=verdict.pk).update(decided_by=checker)


@override_settings(VERDICT_APPROVALS_REQUIRED=2)
def test_two_approvals_required(claim, editor, editor2, checker):
    claim = drive(claim, S.SUBMITTED, editor, checker)
    workflow.claim_approve(claim_id=claim.pk, actor=editor, note="Looks right")
    claim.refresh_from_db()
    assert claim.state == S.SUBMITTED
    assert claim.events.first().transition == "approve_vote"
    with pytest.raises(InvalidInput, match="already voted"):
        workflow.claim_approve(claim_id=claim.pk, actor=editor)
    workflow.claim_approve(claim_id=claim.pk, actor=editor2, note="Agreed")
    claim.refresh_from_db()
    assert claim.state == S.APPROVED
    verdict = claim.verdicts.get(is_current=True)
    assert verdict.state == Verdict.State.APPROVED and verdict.decided_by == editor2
    assert [v.note for v in verdict.votes.all()] == ["Looks right", "Agreed"]


def test_return_needs_note_and_next_draft_is_a_new_verdict(claim, editor, checker):
    claim = drive(claim, S.SUBMITTED, editor, checker)
    with pytest.raises(InvalidInput, match="needs a note"):
        workflow.claim_return(claim_id=claim.pk, actor=editor, note="")
    workflow.claim_return(claim_id=claim.pk, actor=editor, note="Cite the ministry's data.")
    returned = claim.verdicts.get()
    assert returned.state == Verdict.State.RETURNED
    assert returned.decision_note == "Cite the ministry's data."
    workflow.verdict_save_draft(
        claim_id=claim.pk, actor=checker, rating_id=rating("true").pk, summary="Actually true."
    )
    assert claim.verdicts.count() == 2
    current = claim.verdicts.get(is_current=True)
    assert current.state == Verdict.State.DRAFT and current.pk != returned.pk


def test_approval_completes_the_assignment(claim, editor, checker):
    claim = drive(claim, S.APPROVED, editor, checker)
    assert Assignment.objects.get(claim=claim).state == Assignment.State.COMPLETED


def test_reassign_ends_old_assignment_and_starts_new(claim, editor, checker, checker2):
    claim = drive(claim, S.IN_REVIEW, editor, checker)
    workflow.claim_reassign(claim_id=claim.pk, assignee=checker2, actor=editor, reason="load")
    states = dict(Assignment.objects.filter(claim=claim).values_list("reviewer__username", "state"))
    assert states == {"checker": "ended", "checker2": "active"}
    with pytest.raises(InvalidInput, match="already assigned to checker2"):
        workflow.claim_reassign(claim_id=claim.pk, assignee=checker2, actor=editor)


def test_one_active_assignment_per_claim_is_a_database_constraint(claim, editor, checker, checker2):
    claim = drive(claim, S.ASSIGNED, editor, checker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(claim=claim, reviewer=checker2)


def test_audit_trail_is_append_only(claim, editor):
    workflow.claim_promote(claim_id=claim.pk, actor=editor)
    event = ClaimEvent.objects.get(claim=claim)
    event.transition = "tampered"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        ClaimEvent.objects.filter(pk=event.pk).update(transition="x")
    with pytest.raises(TypeError, match="append-only"):
        ClaimEvent.objects.all().delete()


def test_side_effects_wait_for_commit(claim, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        workflow.claim_promote(claim_id=claim.pk, actor=editor)
    # Promoting to open schedules an assignment run, only after commit.
    assert len(callbacks) == 1


def test_available_transitions_depend_on_actor(claim, editor, checker):
    claim = drive(claim, S.ASSIGNED, editor, checker)
    assert set(workflow.available_transitions(claim, checker)) == {"decline", "start", "save_draft"}
    assert {"reassign", "unassign", "set_priority"} <= set(
        workflow.available_transitions(claim, editor)
    )


def test_nobody_is_assigned_a_claim_from_an_article_they_wrote(editor, checker, checker2):
    """The reviewers app refuses it through the workflow's claim_assigning signal, so the rule
    holds for the dashboard, the API, the admin and the scheduler alike."""
    checker.first_name, checker.last_name = "Ann", "Reporter"
    checker.save()
    claim = ClaimFactory(article__author="By Ann Reporter and Bo Li")
    with pytest.raises(InvalidInput, match="checker wrote the article this claim comes from"):
        workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=editor)
    claim.refresh_from_db()
    assert (claim.state, claim.assignee, claim.version) == (S.OPEN, None, 1)
    workflow.claim_assign(claim_id=claim.pk, assignee=checker2, actor=editor)
    with pytest.raises(InvalidInput, match="checker wrote the article"):
        workflow.claim_reassign(claim_id=claim.pk, assignee=checker, actor=editor)
