"""Reviewer pages: permissions on the server, errors shown, constant query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from claims import workflow
from claims.models import Claim, ClaimEvent, Topic
from reviewers import notifications, selectors
from reviewers.models import Assignment, Notification, ReviewerProfile
from tests.factories import ClaimFactory, fact_checker
from tests.vendor import queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_editor(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def as_checker(client, checker):
    client.force_login(checker)
    return client


# --- Permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs", "method"),
    [
        ("workload", {}, "get"),
        ("profile_edit", {"profile_id": 0}, "get"),
        ("profile_edit", {"profile_id": 0}, "post"),
        ("claim_assign", {"claim_id": 0}, "post"),
        ("claim_unassign", {"claim_id": 0}, "post"),
        ("bulk_assign", {}, "post"),
    ],
)
def test_fact_checkers_get_403_on_editor_pages(as_checker, checker, name, kwargs, method):
    if "profile_id" in kwargs:
        kwargs = {"profile_id": checker.reviewer_profile.pk}
    if "claim_id" in kwargs:
        claim = ClaimFactory()
        workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=None)
        kwargs = {"claim_id": claim.pk}
    response = getattr(as_checker, method)(reverse(f"reviewers:{name}", kwargs=kwargs))
    assert response.status_code == 403
    assert Assignment.objects.filter(state="active").count() <= 1
    checker.reviewer_profile.refresh_from_db()
    assert checker.reviewer_profile.capacity == 5


@pytest.mark.parametrize("name", ["workload", "notifications", "bulk_assign"])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(f"reviewers:{name}"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


# --- Workload -------------------------------------------------------------------------------


def make_reviewers(n, start=0):
    users = []
    for i in range(start, start + n):
        user = fact_checker(f"r{i:02d}")
        user.reviewer_profile.topics.set(Topic.objects.filter(slug="security"))
        claim = ClaimFactory()
        workflow.claim_assign(claim_id=claim.pk, assignee=user, actor=None)
        users.append(user)
    return users


def test_workload_shows_counts_per_reviewer(as_editor, editor, checker, checker2):
    now = timezone.now()
    claims = [ClaimFactory() for _ in range(4)]
    for c in claims[:3]:
        workflow.claim_assign(claim_id=c.pk, assignee=checker, actor=None)
    Assignment.objects.filter(claim=claims[0]).update(due_at=now - timedelta(hours=3))
    Assignment.objects.filter(claim=claims[1]).update(due_at=now + timedelta(hours=2))
    Assignment.objects.filter(claim=claims[2]).update(due_at=now + timedelta(days=5))
    done = ClaimFactory()
    workflow.claim_assign(claim_id=done.pk, assignee=checker2, actor=None)
    Assignment.objects.filter(claim=done).update(state="completed", ended_at=now)
    ReviewerProfile.objects.filter(user=checker2).update(away_until=timezone.localdate())

    rows = {p.user.username: p for p in selectors.workload(now=now)}
    one, two = rows["checker"], rows["checker2"]
    assert (one.open_count, one.due_soon_count, one.overdue_count, one.done_week_count) == (
        3,
        1,
        1,
        0,
    )
    assert (two.open_count, two.done_week_count) == (0, 1)

    response = as_editor.get(reverse("reviewers:workload"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 overdue" in html
    assert f"away until {timezone.localdate():%Y-%m-%d}" in html
    assert 'class="due due-overdue"' in html  # the overdue work list
    # The open claim nobody has yet is listed with why.
    assert claims[3].text[:40] in html and "is next" in html


def test_workload_page_costs_the_same_queries_at_any_size(as_editor):
    make_reviewers(3)
    ClaimFactory()
    url = reverse("reviewers:workload")
    with CaptureQueriesContext(connection) as small:
        assert as_editor.get(url).status_code == 200
    make_reviewers(30, start=3)
    for _ in range(25):
        ClaimFactory()
    with CaptureQueriesContext(connection) as large:
        response = as_editor.get(url)
    assert response.status_code == 200 and "r32" in response.content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)


def test_workload_page_query_ceiling(as_editor, django_assert_max_num_queries):
    make_reviewers(20)
    for _ in range(20):
        ClaimFactory()
    # session with its user, permissions, the page's one query (profiles and their figures
    # and topics, cycle times, overdue, waiting claims with their topics and given-up
    # assignments, backlog totals), header counts; on SQLite the permissions apart from the
    # user and the page from the separate selectors (eight)
    with django_assert_max_num_queries(queries(postgresql=3, sqlite=12)):
        assert as_editor.get(reverse("reviewers:workload")).status_code == 200


def test_workload_explains_waiting_claims_as_the_policy_does(as_editor, checker, checker2):
    """The page reuses its profile rows as the policy's pool: the reasons are the policy's own,
    loads, capacity, unavailability and non-fact-checkers included."""
    from django.contrib.auth.models import Group

    from reviewers import policy

    checker.reviewer_profile.available = False
    checker.reviewer_profile.save()
    checker2.reviewer_profile.capacity = 1
    checker2.reviewer_profile.save()
    workflow.claim_assign(claim_id=ClaimFactory().pk, assignee=checker2, actor=None)
    checker2.groups.remove(Group.objects.get(name="Fact-checkers"))
    for _ in range(3):
        ClaimFactory(state=Claim.State.OPEN)
    rows = list(selectors.workload())
    with_pool = dict(selectors.waiting_claims(pool=selectors.workload_pool(rows)))
    alone = dict(selectors.waiting_claims())
    expected = policy.why_unassigned_many(list(alone))
    assert {c.pk: why for c, why in with_pool.items()} == expected
    assert {c.pk: why for c, why in alone.items()} == expected
    assert len(expected) == 3
    for why in expected.values():
        assert "is marked unavailable" in why and "is not a fact-checker" in why
        assert "is at capacity (1/1)" in why
    html = as_editor.get(reverse("reviewers:workload")).content.decode()
    for why in expected.values():
        assert escape(why) in html


def test_cycle_times_are_medians_per_stage_from_the_audit_trail():
    now = timezone.now()
    t0 = now - timedelta(days=2)

    def history(claim, steps):
        at, state = t0, ""
        for to, minutes in steps:
            ClaimEvent.objects.create(
                claim=claim, transition="t", from_state=state, to_state=to, created_at=at
            )
            at, state = at + timedelta(minutes=minutes), to

    # open 10 min, assigned 20, in review 60, submitted 30 -> approved
    history(
        ClaimFactory(),
        [("open", 10), ("assigned", 20), ("in_review", 60), ("submitted", 30), ("approved", 0)],
    )
    # open 30, assigned 40, in review 120 (still in review: not counted there)
    history(ClaimFactory(), [("open", 30), ("assigned", 40), ("in_review", 0)])
    # open 50 and a no-change event in between, which does not split the stay
    c = ClaimFactory()
    ClaimEvent.objects.create(
        claim=c, transition="file", from_state="", to_state="open", created_at=t0
    )
    ClaimEvent.objects.create(
        claim=c,
        transition="set_priority",
        from_state="open",
        to_state="open",
        created_at=t0 + timedelta(minutes=20),
    )
    ClaimEvent.objects.create(
        claim=c, transition="assign", from_state="open", to_state="assigned",
        created_at=t0 + timedelta(minutes=50),
    )  # fmt: skip

    stages = {s.state: s for s in selectors.cycle_times(now=now)}
    assert stages["open"].median == timedelta(minutes=30) and stages["open"].count == 3
    assert stages["assigned"].median == timedelta(minutes=30)
    assert stages["in_review"].median == timedelta(minutes=60) and stages["in_review"].count == 1
    assert stages["submitted"].median == timedelta(minutes=30)
    assert selectors.bottleneck(list(stages.values())).state == "in_review"


def test_cycle_times_with_no_history():
    stages = selectors.cycle_times()
    assert [s.median for s in stages] == [None, None, None, None]
    assert selectors.bottleneck(stages) is None


# --- Profile editing ------------------------------------------------------------------------


def test_editor_edits_a_profile(as_editor, checker):
    profile = checker.reviewer_profile
    security = Topic.objects.get(slug="security")
    url = reverse("reviewers:profile_edit", kwargs={"profile_id": profile.pk})
    assert as_editor.get(url).status_code == 200
    response = as_editor.post(
        url,
        {
            "topics": [security.pk],
            "languages": "en, FR",
            "capacity": "8",
            "available": "on",
            "away_until": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302 and response.url == reverse("reviewers:workload")
    profile.refresh_from_db()
    assert (profile.languages, profile.capacity, profile.available) == ("en,fr", 8, True)
    assert profile.away_until == timezone.localdate() + timedelta(days=3)
    assert list(profile.topics.all()) == [security]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("languages", "english!", "Not a language code: english!"),
        ("languages", " , ", "List at least one language code"),
        ("capacity", "-1", "Ensure this value is greater than or equal to 0."),
        ("capacity", "many", "Enter a whole number."),
        ("away_until", "2001-01-01", "That date has passed"),
        ("away_until", "not a date", "Enter a valid date."),
    ],
)
def test_profile_errors_are_shown_and_nothing_is_saved(as_editor, checker, field, value, message):
    profile = checker.reviewer_profile
    data = {"languages": "en", "capacity": "5", "available": "on", field: value}
    response = as_editor.post(
        reverse("reviewers:profile_edit", kwargs={"profile_id": profile.pk}), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert value.strip(" ,") in response.content.decode()  # what was typed is kept
    profile.refresh_from_db()
    assert (profile.languages, profile.capacity) == ("en", 5)


def test_editing_an_unknown_profile_is_404(as_editor):
    response = as_editor.get(reverse("reviewers:profile_edit", kwargs={"profile_id": 999999}))
    assert response.status_code == 404


# --- Notifications --------------------------------------------------------------------------


def test_notifications_page_and_mark_read(as_checker, checker, checker2):
    mine = notifications.notify([checker], kind="x", message="Claim 7 <b>is</b> yours")[0]
    notifications.notify([checker], kind="x", message="second")
    theirs = notifications.notify([checker2], kind="x", message="not for you")[0]
    page = as_checker.get(reverse("reviewers:notifications"))
    html = page.content.decode()
    assert "Claim 7 &lt;b&gt;is&lt;/b&gt; yours" in html and "not for you" not in html
    assert page.context["unread_notifications_count"] == 2

    read_url = reverse("reviewers:notifications_read")
    assert as_checker.get(read_url).status_code == 405
    response = as_checker.post(read_url, {"ids": [mine.pk, theirs.pk]})
    assert response.status_code == 302
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert notifications.unread_count(checker) == 1
    as_checker.post(read_url)
    assert notifications.unread_count(checker) == 0
    assert as_checker.post(read_url, {"ids": ["x"]}).status_code == 302


def test_context_processor_is_lazy_and_zero_for_anonymous(client, rf, checker):
    from django.contrib.auth.models import AnonymousUser

    from reviewers.context_processors import notifications as processor

    request = rf.get("/")
    request.user = AnonymousUser()
    assert processor(request) == {"unread_notifications_count": 0}
    request.user = checker
    with CaptureQueriesContext(connection) as queries:
        context = processor(request)
    assert len(queries.captured_queries) == 0
    notifications.notify([checker], kind="x", message="hi")
    assert int(str(context["unread_notifications_count"])) == 1


def test_notifications_empty_state_teaches(as_checker):
    html = as_checker.get(reverse("reviewers:notifications")).content.decode()
    assert "No notifications yet" in html


# --- Assign, decline, bulk ------------------------------------------------------------------


def test_editor_assigns_from_the_assign_page(as_editor, checker, checker2):
    claim = ClaimFactory()
    url = reverse("reviewers:claim_assign", kwargs={"claim_id": claim.pk})
    page = as_editor.get(url)
    assert page.status_code == 200 and "eligible" in page.content.decode()
    response = as_editor.post(
        url, {"reviewer": checker2.pk, "version": claim.version, "next": "/claims/1/"}
    )
    assert response.status_code == 302 and response.url == "/claims/1/"
    assert Claim.objects.get(pk=claim.pk).assignee == checker2


def test_assign_page_refusal_is_shown_and_next_is_never_offsite(as_editor, checker):
    ReviewerProfile.objects.filter(user=checker).update(capacity=0)
    claim = ClaimFactory()
    url = reverse("reviewers:claim_assign", kwargs={"claim_id": claim.pk})
    response = as_editor.post(url, {"reviewer": checker.pk, "next": "https://evil.example/"})
    assert response.status_code == 400
    assert "checker is at capacity (0/0)" in response.content.decode()
    response = as_editor.post(
        url, {"reviewer": checker.pk, "assign_anyway": "on", "next": "https://evil.example/"}
    )
    assert response.status_code == 400
    assert "Say why you assign the claim to checker anyway" in response.content.decode()
    response = as_editor.post(
        url,
        {
            "reviewer": checker.pk,
            "assign_anyway": "on",
            "reason": "Only checker reads Pashto",
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302 and response.url == reverse("reviewers:workload")


def test_stale_version_on_assign_is_a_clear_error(as_editor, checker):
    claim = ClaimFactory()
    url = reverse("reviewers:claim_assign", kwargs={"claim_id": claim.pk})
    response = as_editor.post(url, {"reviewer": checker.pk, "version": claim.version - 1 or 99})
    assert response.status_code == 400
    assert "changed since you loaded it" in response.content.decode()


def test_unassign_button(as_editor, checker):
    claim = ClaimFactory()
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=None)
    response = as_editor.post(reverse("reviewers:claim_unassign", kwargs={"claim_id": claim.pk}))
    assert response.status_code == 302
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.OPEN


def test_assignee_declines_with_a_reason(as_checker, checker):
    claim = ClaimFactory()
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=None)
    url = reverse("reviewers:claim_decline", kwargs={"claim_id": claim.pk})
    response = as_checker.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Say why you decline this claim" in response.content.decode()
    response = as_checker.post(url, {"reason": "I know the minister personally."})
    assert response.status_code == 302
    assignment = Assignment.objects.get(claim=claim)
    assert (assignment.state, assignment.decline_reason) == (
        "declined",
        "I know the minister personally.",
    )


def test_someone_else_cannot_decline(client, checker, checker2):
    claim = ClaimFactory()
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=None)
    client.force_login(checker2)
    url = reverse("reviewers:claim_decline", kwargs={"claim_id": claim.pk})
    assert client.post(url, {"reason": "mine now"}).status_code == 403
    assert Claim.objects.get(pk=claim.pk).assignee == checker


def test_bulk_assign_page_reports_each_claim(as_editor, checker):
    ReviewerProfile.objects.filter(user=checker).update(capacity=1)
    a, b = ClaimFactory(), ClaimFactory()
    response = as_editor.post(
        reverse("reviewers:bulk_assign"), {"claim_ids": f"{a.pk}, {b.pk}", "reviewer": checker.pk}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Claim {a.pk}: assigned to checker." in html
    assert f"Claim {b.pk}: checker is at capacity (1/1)." in html
    assert "Assigned 1 of 2 claims." in html


def test_bulk_assign_accepts_checkbox_lists_and_rejects_junk(as_editor, checker):
    a, b = ClaimFactory(), ClaimFactory()
    url = reverse("reviewers:bulk_assign")
    response = as_editor.post(url, {"claim_ids": [str(a.pk), str(b.pk)], "next": "/claims/"})
    assert response.status_code == 302 and response.url == "/claims/"
    assert Claim.objects.filter(assignee=checker).count() == 2
    response = as_editor.post(url, {"claim_ids": "12, abc"})
    assert response.status_code == 400 and "Not a claim id: abc." in response.content.decode()


def test_header_counts_are_one_query_and_right(as_editor, editor, checker):
    from django.test import Client

    from reviewers.context_processors import header_counts

    ClaimFactory(state=Claim.State.SUBMITTED, assignee=checker)
    ClaimFactory(state=Claim.State.OPEN)
    notifications.notify([editor], kind="x", message="one")
    notifications.notify([editor], kind="x", message="two")
    notifications.notify([checker], kind="x", message="theirs")
    with CaptureQueriesContext(connection) as queries:
        counts = header_counts(editor)
    assert counts == {"unread": 2, "waiting": 1}
    assert len([q for q in queries.captured_queries if "reviewers_notification" in q["sql"]]) == 1
    # A fact-checker is never told how many verdicts wait for an editor.
    assert header_counts(checker) == {"unread": 1, "waiting": 0}
    html = as_editor.get("/claims/").content.decode()
    assert 'aria-label="1 waiting"' in html and 'aria-label="2 unread"' in html
    as_checker = Client()
    as_checker.force_login(checker)
    html = as_checker.get("/").content.decode()
    assert "waiting" not in html and 'aria-label="1 unread"' in html
