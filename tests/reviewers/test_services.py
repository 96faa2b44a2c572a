"""Reviewer services: the scheduler, manual control, deadlines, verdict tracking, emails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from claims import workflow
from claims.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from claims.models import Claim, ClaimEvent, Topic
from claims.permissions import FACT_CHECKERS
from reviewers import notifications, services
from reviewers.models import Assignment, Notification, ReviewerProfile
from tests.factories import ArticleFactory, ClaimFactory, rating, reviewer

pytestmark = pytest.mark.django_db
S = Claim.State


def kinds(user):
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


# --- The scheduler --------------------------------------------------------------------------


# Queries of one scheduler batch, whatever its size (up to services.BATCH claims): the queue
# (claims locked), the reviewers and their topics, the claims' topics and earlier assignments,
# the chosen reviewers locked together; the workflow's savepoint, its lock of the claims, the
# assignees, one UPDATE of the claims, their events; the assignments, the notifications, the
# rotation times; the commit. None per claim: the policy's facts, the reviewers and their loads
# are read once per batch and every row is written in one statement for the whole batch.
PER_BATCH = 16


def test_scheduler_queries_do_not_grow_with_the_claims():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for name in ("ana", "ben", "cy"):
        reviewer(name, capacity=100)
    counts = []
    for n in (5, 60):
        for _ in range(n):
            ClaimFactory()
        with CaptureQueriesContext(connection) as queries:
            assert services.assign_open_claims().assigned == n
        counts.append(len(queries.captured_queries))
    # One batch (5 claims or 60), then the look for more that finds none (3) and the count (1).
    assert counts[0] == counts[1], counts
    assert counts[1] <= PER_BATCH + 5, counts
    assert dict(Assignment.objects.values_list("reviewer__username").annotate(n=Count("pk"))) == {
        "ana": 22,
        "ben": 22,
        "cy": 21,
    }


def test_scheduler_in_small_batches_assigns_everything_and_spreads_it(monkeypatch):
    monkeypatch.setattr(services, "BATCH", 3)
    reviewer("ana", capacity=4)
    reviewer("ben", capacity=4)
    claims = [ClaimFactory() for _ in range(10)]

    run = services.assign_open_claims()

    assert run.assigned == 8 and run.nobody_free
    loads = dict(Assignment.objects.values_list("reviewer__username").annotate(n=Count("pk")))
    assert loads == {"ana": 4, "ben": 4}
    assert ReviewerProfile.objects.get(user__username="ana").load == 4
    assert Claim.objects.filter(pk__in=[c.pk for c in claims], state=S.OPEN).count() == 2
    # Each claim's event, assignment and notification, written in bulk, match one another.
    for claim in Claim.objects.filter(state=S.ASSIGNED):
        event = claim.events.get()
        assignment = Assignment.objects.get(claim=claim)
        assert (event.from_state, event.to_state) == ("open", "assigned")
        assert event.details["assignee_id"] == claim.assignee_id == assignment.reviewer_id
        assert event.details["reason"] == assignment.reason
        assert claim.version == 2 and assignment.due_at == claim.due_at
        note = Notification.objects.get(assignment=assignment)
        assert (note.user_id, note.kind) == (claim.assignee_id, "assigned")


@override_settings(CLAIM_DEADLINE_HOURS={"urgent": 4, "high": 24, "normal": 72, "low": 168})
def test_scheduler_assigns_with_reason_due_date_and_notification():
    ana = reviewer("ana", capacity=4, topics=["security"])
    claim = ClaimFactory(priority="urgent")
    claim.topics.set(Topic.objects.filter(slug="security"))
    before = timezone.now()

    run = services.assign_open_claims()

    assert run.assigned == 1
    claim.refresh_from_db()
    assert (claim.state, claim.assignee) == (S.ASSIGNED, ana)
    assert before + timedelta(hours=4) <= claim.due_at <= timezone.now() + timedelta(hours=4)
    assignment = Assignment.objects.get(claim=claim)
    assert assignment.reason == "topic: security; load 0/4"
    assert assignment.assigned_by is None and assignment.due_at == claim.due_at
    event = claim.events.first()
    assert (event.transition, event.actor, event.details["reason"]) == (
        "assign",
        None,
        "topic: security; load 0/4",
    )
    assert kinds(ana) == ["assigned"]
    ana.reviewer_profile.refresh_from_db()
    assert ana.reviewer_profile.last_assigned_at == assignment.assigned_at


def test_scheduler_never_exceeds_capacity_and_leaves_the_rest_open():
    reviewer("ana", capacity=2)
    reviewer("ben", capacity=1)
    claims = [ClaimFactory() for _ in range(5)]

    run = services.assign_open_claims()

    assert run.assigned == 3
    assert dict(
        Assignment.objects.filter(state="active")
        .values_list("reviewer__username")
        .annotate(n=Count("pk"))
    ) == {"ana": 2, "ben": 1}
    assert Claim.objects.filter(pk__in=[c.pk for c in claims], state=S.OPEN).count() == 2
    # Running again changes nothing: it is idempotent.
    assert services.assign_open_claims().assigned == 0
    assert Assignment.objects.count() == 3


def test_scheduler_takes_the_most_urgent_claims_first():
    reviewer("ana", capacity=2)
    low = ClaimFactory(priority="low")
    urgent = ClaimFactory(priority="urgent")
    normal = ClaimFactory(priority="normal")
    high = ClaimFactory(priority="high")
    services.assign_open_claims()
    assigned = set(Claim.objects.filter(state=S.ASSIGNED).values_list("pk", flat=True))
    assert assigned == {urgent.pk, high.pk}
    assert set(Claim.objects.filter(state=S.OPEN).values_list("pk", flat=True)) == {
        low.pk,
        normal.pk,
    }


def test_scheduler_spreads_claims_by_load_and_rotation():
    reviewer("ana")
    reviewer("ben")
    for _ in range(4):
        ClaimFactory()
    services.assign_open_claims()
    loads = dict(Assignment.objects.values_list("reviewer__username").annotate(n=Count("pk")))
    assert loads == {"ana": 2, "ben": 2}


def test_scheduler_respects_the_limit():
    reviewer("ana", capacity=10)
    for _ in range(5):
        ClaimFactory()
    assert services.assign_open_claims(limit=2).assigned == 2
    assert Claim.objects.filter(state=S.OPEN).count() == 3


def test_scheduler_with_nobody_free_stops_at_once(django_assert_max_num_queries):
    ana = reviewer("ana", capacity=0)
    for _ in range(30):
        ClaimFactory()
    with django_assert_max_num_queries(6):
        run = services.assign_open_claims()
    assert run.assigned == 0 and run.nobody_free
    assert kinds(ana) == []


# --- Decline, expire: the claim moves on to someone else -----------------------------------


def test_decline_moves_the_claim_to_someone_else_and_tells_editors(editor):
    ana, ben = reviewer("ana"), reviewer("ben")
    ReviewerProfile.objects.filter(user=ben).update(last_assigned_at=timezone.now())
    claim = ClaimFactory()
    services.assign_open_claims()
    assert Claim.objects.get(pk=claim.pk).assignee == ana

    workflow.claim_decline(claim_id=claim.pk, actor=ana, reason="I wrote about this last week")
    services.assign_open_claims()

    claim.refresh_from_db()
    assert claim.assignee == ben
    declined = Assignment.objects.get(claim=claim, reviewer=ana)
    assert declined.state == Assignment.State.DECLINED
    assert declined.decline_reason == "I wrote about this last week"
    note = Notification.objects.get(user=editor, kind="declined")
    assert "ana declined claim" in note.message and "I wrote about this last week" in note.message


def test_decline_needs_a_reason(checker):
    claim = ClaimFactory()
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=None)
    with pytest.raises(InvalidInput, match="Say why you decline"):
        workflow.claim_decline(claim_id=claim.pk, actor=checker, reason="  ")


def test_only_the_assignee_can_decline(checker, checker2):
    claim = ClaimFactory()
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=None)
    with pytest.raises(PermissionDenied, match="Only the assignee can decline"):
        workflow.claim_decline(claim_id=claim.pk, actor=checker2, reason="no")


def test_decline_schedules_an_assignment_run_on_commit(checker, django_capture_on_commit_callbacks):
    claim = ClaimFactory()
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=None)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.claim_decline(claim_id=claim.pk, actor=checker, reason="Conflict")
    sent = [getattr(getattr(cb, "__self__", None), "name", None) for cb in callbacks]
    assert "reviewers.assign_open_claims" in sent


def test_expire_overdue_reopens_tells_editors_and_goes_to_someone_else(editor):
    ana, ben = reviewer("ana"), reviewer("ben")
    claim = ClaimFactory()
    workflow.claim_assign(claim_id=claim.pk, assignee=ana, actor=None)
    late = timezone.now() - timedelta(hours=5)
    Claim.objects.filter(pk=claim.pk).update(due_at=late)
    Assignment.objects.filter(claim=claim).update(due_at=late)

    assert services.expire_overdue(grace_hours=2) == 1
    assert services.expire_overdue(grace_hours=2) == 0  # idempotent

    claim.refresh_from_db()
    assert (claim.state, claim.assignee, claim.due_at) == (S.OPEN, None, None)
    assert Assignment.objects.get(claim=claim, reviewer=ana).state == Assignment.State.EXPIRED
    assert "was overdue with ana" in Notification.objects.get(user=editor, kind="expired").message
    assert "expired" in kinds(ana)
    services.assign_open_claims()
    assert Claim.objects.get(pk=claim.pk).assignee == ben


def test_expire_overdue_leaves_work_within_grace_alone(checker):
    claim = ClaimFactory()
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=None)
    Assignment.objects.filter(claim=claim).update(due_at=timezone.now() - timedelta(hours=1))
    assert services.expire_overdue(grace_hours=2) == 0
    assert Claim.objects.get(pk=claim.pk).state == S.ASSIGNED


def test_expire_overdue_skips_a_claim_submitted_meanwhile(checker):
    claim = ClaimFactory()
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=None)
    Assignment.objects.filter(claim=claim).update(due_at=timezone.now() - timedelta(hours=9))
    workflow.verdict_save_draft(
        claim_id=claim.pk, actor=checker, rating_id=rating().pk, summary="x"
    )
    workflow.claim_submit(claim_id=claim.pk, actor=checker)
    assert services.expire_overdue(grace_hours=2) == 0
    assert Claim.objects.get(pk=claim.pk).state == S.SUBMITTED


# --- Reminders ------------------------------------------------------------------------------


def test_one_reminder_per_assignment_never_two(checker):
    soon, later = ClaimFactory(), ClaimFactory()
    for claim in (soon, later):
        workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=None)
    Assignment.objects.filter(claim=soon).update(due_at=timezone.now() + timedelta(hours=1))
    Assignment.objects.filter(claim=later).update(due_at=timezone.now() + timedelta(hours=30))

    assert services.remind_due(hours_before=2) == 1
    assert services.remind_due(hours_before=2) == 0
    reminders = Notification.objects.filter(kind="reminder")
    assert [(n.user, n.assignment.claim_id) for n in reminders] == [(checker, soon.pk)]
    assert f"Reminder: claim {soon.pk} is due" in reminders[0].message
    assert Assignment.objects.get(claim=soon).reminder_sent_at is not None
    # Even a bug that forgot the mark could not send a second: the database refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            user=checker, kind="reminder", assignment=reminders[0].assignment, message="again"
        )


def test_reminders_in_batches_cover_everything(checker):
    ReviewerProfile.objects.filter(user=checker).update(capacity=20)
    for _ in range(7):
        claim = ClaimFactory()
        workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=None)
    Assignment.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    assert services.remind_due(hours_before=2, batch=3) == 7
    assert Notification.objects.filter(kind="reminder").count() == 7
    assert "is overdue" in Notification.objects.filter(kind="reminder").first().message


# --- Manual control -------------------------------------------------------------------------


def test_editor_assigns_a_named_reviewer_with_a_reason(editor):
    ana = reviewer("ana", capacity=3)
    claim = ClaimFactory()
    claim = services.assign_to_reviewer(claim_id=claim.pk, actor=editor, reviewer_id=ana.pk)
    assert claim.assignee == ana
    assignment = Assignment.objects.get(claim=claim)
    assert assignment.assigned_by == editor
    assert assignment.reason == "by hand (editor)"


def test_editor_assign_without_a_reviewer_uses_the_policy(editor):
    reviewer("ana", topics=["economy"])
    ben = reviewer("ben", topics=["security"])
    claim = ClaimFactory()
    claim.topics.set(Topic.objects.filter(slug="security"))
    assert services.assign_to_reviewer(claim_id=claim.pk, actor=editor).assignee == ben


def test_editor_assign_refuses_a_reviewer_at_capacity_unless_assigned_anyway(editor):
    ana = reviewer("ana", capacity=1)
    workflow.claim_assign(claim_id=ClaimFactory().pk, assignee=ana, actor=None)
    claim = ClaimFactory()
    with pytest.raises(InvalidInput) as err:
        services.assign_to_reviewer(claim_id=claim.pk, actor=editor, reviewer_id=ana.pk)
    assert str(err.value) == (
        "ana is at capacity (1/1). Choose someone else, or assign anyway with a reason."
    )
    assert Claim.objects.get(pk=claim.pk).state == S.OPEN
    claim = services.assign_to_reviewer(
        claim_id=claim.pk,
        actor=editor,
        reviewer_id=ana.pk,
        assign_anyway=True,
        reason="Ana covers the election desk tonight",
    )
    assert claim.assignee == ana
    assert Assignment.objects.get(claim=claim).reason == (
        "assigned anyway (is at capacity (1/1)): Ana covers the election desk tonight"
    )


def test_nobody_checks_their_own_article_even_when_assigned_anyway(editor):
    ana = reviewer("ana", full_name="Ana Ruiz")
    claim = ClaimFactory(article=ArticleFactory(author="By Ana Ruiz"))
    with pytest.raises(InvalidInput, match="ana wrote the article this claim comes from"):
        services.assign_to_reviewer(
            claim_id=claim.pk,
            actor=editor,
            reviewer_id=ana.pk,
            assign_anyway=True,
            reason="She knows it best",
        )


def test_editor_reassigns_and_the_previous_reviewer_is_told(editor):
    ana, ben = reviewer("ana"), reviewer("ben")
    claim = ClaimFactory()
    workflow.claim_assign(claim_id=claim.pk, assignee=ana, actor=None)
    claim = services.assign_to_reviewer(claim_id=claim.pk, actor=editor, reviewer_id=ben.pk)
    assert claim.assignee == ben
    states = dict(Assignment.objects.filter(claim=claim).values_list("reviewer__username", "state"))
    assert states == {"ana": "ended", "ben": "active"}
    assert "unassigned" in kinds(ana) and "assigned" in kinds(ben)
    with pytest.raises(InvalidInput, match="already assigned to ben"):
        services.assign_to_reviewer(claim_id=claim.pk, actor=editor, reviewer_id=ben.pk)


def test_editor_unassigns_and_the_claim_goes_to_someone_else(editor):
    ana, ben = reviewer("ana"), reviewer("ben")
    claim = ClaimFactory()
    workflow.claim_assign(claim_id=claim.pk, assignee=ana, actor=None)
    workflow.claim_unassign(claim_id=claim.pk, actor=editor)
    assert Claim.objects.get(pk=claim.pk).state == S.OPEN
    services.assign_open_claims()
    assert Claim.objects.get(pk=claim.pk).assignee == ben


@pytest.mark.parametrize("action", ["assign", "bulk"])
def test_fact_checkers_cannot_assign(action, checker):
    claim = ClaimFactory()
    call = {
        "assign": lambda: services.assign_to_reviewer(claim_id=claim.pk, actor=checker),
        "bulk": lambda: services.bulk_assign(claim_ids=[claim.pk], actor=checker),
    }[action]
    with pytest.raises(PermissionDenied, match="Only an editor can assign claims"):
        call()


def test_fact_checkers_cannot_unassign(checker):
    claim = ClaimFactory()
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=None)
    with pytest.raises(PermissionDenied, match="Only an editor can unassign this claim"):
        workflow.claim_unassign(claim_id=claim.pk, actor=checker)


def test_assigning_a_published_claim_is_refused(editor, checker):
    claim = ClaimFactory(state=S.DISMISSED, dismiss_reason="opinion")
    with pytest.raises(TransitionNotAllowed, match="it is dismissed"):
        services.assign_to_reviewer(claim_id=claim.pk, actor=editor, reviewer_id=checker.pk)


def test_assigning_someone_without_a_profile_says_what_to_do(editor):
    from tests.factories import UserFactory

    nobody = UserFactory(username="nobody", groups=[FACT_CHECKERS])
    with pytest.raises(InvalidInput, match="nobody has no reviewer profile: add one"):
        services.assign_to_reviewer(claim_id=ClaimFactory().pk, actor=editor, reviewer_id=nobody.pk)


def test_bulk_assign_reports_each_claim(editor):
    ana = reviewer("ana", capacity=2)
    open1, open2, open3 = ClaimFactory(), ClaimFactory(), ClaimFactory()
    done = ClaimFactory(state=S.DISMISSED, dismiss_reason="opinion")
    results = services.bulk_assign(
        claim_ids=[open1.pk, open2.pk, open3.pk, done.pk, 999999], actor=editor, reviewer_id=ana.pk
    )
    assert [(r.claim_id, r.ok) for r in results] == [
        (open1.pk, True),
        (open2.pk, True),
        (open3.pk, False),
        (done.pk, False),
        (999999, False),
    ]
    assert results[0].message == f"Claim {open1.pk}: assigned to ana."
    assert results[2].message == f"Claim {open3.pk}: ana is at capacity (2/2). " + (
        "Choose someone else, or assign anyway with a reason."
    )
    assert "it is dismissed" in results[3].message
    assert results[4].message == "Claim 999999: There is no claim with id 999999."


def test_bulk_reassign_moves_claims_being_worked_on(editor):
    ana, ben = reviewer("ana"), reviewer("ben")
    claims = [ClaimFactory() for _ in range(3)]
    for c in claims:
        workflow.claim_assign(claim_id=c.pk, assignee=ana, actor=None)
    results = services.bulk_assign(
        claim_ids=[c.pk for c in claims], actor=editor, reviewer_id=ben.pk
    )
    assert all(r.ok for r in results)
    assert set(Claim.objects.values_list("assignee__username", flat=True)) == {"ben"}


def test_bulk_assign_limits(editor):
    with pytest.raises(InvalidInput, match="Select at least one claim"):
        services.bulk_assign(claim_ids=[], actor=editor)
    with pytest.raises(InvalidInput, match="at most 500 claims"):
        services.bulk_assign(claim_ids=list(range(1, 502)), actor=editor)


# --- Verdict tracking -----------------------------------------------------------------------


def submit(claim, checker):
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=None)
    workflow.verdict_save_draft(
        claim_id=claim.pk, actor=checker, rating_id=rating().pk, summary="Not so."
    )
    workflow.claim_submit(claim_id=claim.pk, actor=checker)


def test_submitted_verdict_tells_the_editors(editor, editor2, checker):
    claim = ClaimFactory()
    submit(claim, checker)
    for ed in (editor, editor2):
        note = Notification.objects.get(user=ed, kind="submitted")
        assert f"checker submitted a verdict on claim {claim.pk}" in note.message
    assert "submitted" not in kinds(checker)


def test_returned_verdict_tells_the_fact_checker_with_the_note(editor, checker):
    claim = ClaimFactory()
    submit(claim, checker)
    workflow.claim_return(claim_id=claim.pk, actor=editor, note="Add the 2019 census figure.")
    note = Notification.objects.get(user=checker, kind="returned")
    assert "editor returned your verdict" in note.message
    assert note.message.endswith("Note: Add the 2019 census figure.")
    assert Assignment.objects.get(claim=claim).state == Assignment.State.ACTIVE


def test_approval_completes_the_assignment_and_tells_the_fact_checker(editor, checker):
    claim = ClaimFactory()
    submit(claim, checker)
    workflow.claim_approve(claim_id=claim.pk, actor=editor, note="Solid sourcing.")
    note = Notification.objects.get(user=checker, kind="approved")
    assert note.message.endswith("Note: Solid sourcing.")
    assignment = Assignment.objects.get(claim=claim)
    assert assignment.state == Assignment.State.COMPLETED and assignment.ended_at is not None


@override_settings(VERDICT_APPROVALS_REQUIRED=2)
def test_two_approvals_needed_each_vote_is_reported(editor, editor2, checker):
    claim = ClaimFactory()
    submit(claim, checker)
    workflow.claim_approve(claim_id=claim.pk, actor=editor, note="Fine by me.")
    assert Claim.objects.get(pk=claim.pk).state == S.SUBMITTED
    vote = Notification.objects.get(user=checker, kind="approval_vote")
    assert "approved (1 of 2 approvals needed so far)" in vote.message
    assert Assignment.objects.get(claim=claim).state == Assignment.State.ACTIVE
    workflow.claim_approve(claim_id=claim.pk, actor=editor2)
    assert Claim.objects.get(pk=claim.pk).state == S.APPROVED
    assert Assignment.objects.get(claim=claim).state == Assignment.State.COMPLETED
    assert kinds(checker).count("approved") == 1


# --- Emails ---------------------------------------------------------------------------------


def test_notification_emails_go_out_once(checker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = notifications.notify([checker, checker, None], kind="x", message="Hello there")
    assert len(created) == 1 and len(callbacks) == 1
    ids = [created[0].pk]
    assert notifications.send_emails(notification_ids=ids) == 1
    assert notifications.send_emails(notification_ids=ids) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [checker.email]
    assert mail.outbox[0].subject == "[Factcheck] Hello there"
    assert Notification.objects.get(pk=ids[0]).emailed_at is not None


def test_an_email_job_killed_mid_way_loses_at_most_the_email_in_flight(checker, monkeypatch):
    """Each notification is marked just before its email goes: a job that dies while sending
    the second leaves the third unmarked, for the sweeper; the first is never sent again."""
    created = [notifications.notify([checker], kind="x", message=f"Note {n}")[0] for n in range(3)]
    ids = [n.pk for n in created]
    real_send, calls = notifications.send_mail, []

    def dies_on_the_second(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:
            raise SystemExit("worker killed")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(notifications, "send_mail", dies_on_the_second)
    with pytest.raises(SystemExit):
        notifications.send_emails(notification_ids=ids)
    marked = dict(Notification.objects.filter(pk__in=ids).values_list("pk", "emailed_at"))
    assert marked[ids[0]] is not None and marked[ids[1]] is not None  # sent; in flight
    assert marked[ids[2]] is None  # left for the sweeper
    monkeypatch.setattr(notifications, "send_mail", real_send)
    assert notifications.send_emails(notification_ids=ids) == 1
    assert [m.subject for m in mail.outbox] == ["[Factcheck] Note 0", "[Factcheck] Note 2"]


def test_unread_count_and_mark_read(checker, checker2):
    notifications.notify([checker], kind="x", message="one")
    notifications.notify([checker], kind="x", message="two")
    other = notifications.notify([checker2], kind="x", message="not yours")
    assert notifications.unread_count(checker) == 2
    # Someone else's notification is never marked.
    assert notifications.mark_read(user=checker, notification_ids=[other[0].pk]) == 0
    assert notifications.mark_read(user=checker) == 2
    assert notifications.unread_count(checker) == 0
    assert notifications.unread_count(checker2) == 1


# --- Sweeper and profiles -------------------------------------------------------------------


def test_sweeper_assigns_claims_a_lost_task_left_open(checker):
    claims = [ClaimFactory() for _ in range(3)]  # filed without any assignment job running
    from reviewers import recovery

    result = recovery.sweep()
    assert result["assigned"] == 3
    assert set(
        Claim.objects.filter(pk__in=[c.pk for c in claims]).values_list("state", flat=True)
    ) == {S.ASSIGNED}


def test_profile_update_by_editor(editor, checker):
    profile = checker.reviewer_profile
    security = Topic.objects.get(slug="security")
    services.profile_update(
        profile_id=profile.pk,
        actor=editor,
        topic_ids=[security.pk],
        languages="EN, fr ,en",
        capacity=7,
        available=False,
        away_until=None,
    )
    profile.refresh_from_db()
    assert (profile.languages, profile.capacity, profile.available) == ("en,fr", 7, False)
    assert list(profile.topics.all()) == [security]


def test_profile_update_refused_for_fact_checkers(checker):
    with pytest.raises(PermissionDenied, match="Only an editor can change reviewer profiles"):
        services.profile_update(
            profile_id=checker.reviewer_profile.pk,
            actor=checker,
            topic_ids=[],
            languages="en",
            capacity=1,
            available=True,
            away_until=None,
        )


def test_every_assignment_change_is_in_the_audit_trail(editor):
    ana, ben = reviewer("ana"), reviewer("ben")
    claim = ClaimFactory()
    services.assign_to_reviewer(claim_id=claim.pk, actor=editor, reviewer_id=ana.pk)
    services.assign_to_reviewer(claim_id=claim.pk, actor=editor, reviewer_id=ben.pk)
    workflow.claim_unassign(claim_id=claim.pk, actor=editor)
    transitions = list(
        ClaimEvent.objects.filter(claim=claim).order_by("pk").values_list("transition", flat=True)
    )
    assert transitions == ["assign", "reassign", "unassign"]
