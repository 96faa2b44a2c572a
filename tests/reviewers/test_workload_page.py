"""The workload page read in one query and its rows written in Python: the same figures, reasons
and HTML as the separate selectors and the template loops they replace."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.template import engines
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims import workflow
from claims.models import Claim, ClaimEvent, Topic
from reviewers import selectors
from reviewers.models import Assignment, ReviewerProfile
from tests import vendor
from tests.factories import ClaimFactory, reviewer

pytestmark = pytest.mark.django_db

HOSTILE = '<b>O\'Brien & "Co"</b>'


@pytest.fixture
def busy_desk(editor):
    """Reviewers in every status (hostile names included), their work in every state, open
    claims past the page's 20 (some given up by a reviewer), and an audit trail of stays."""
    now = timezone.now()
    Topic.objects.filter(slug="economy").update(name=f"Economy {HOSTILE}")
    ana = reviewer("ana", full_name=f"Ana {HOSTILE}", topics=["economy", "health"])
    ben = reviewer("ben", topics=["health"], languages="en, fr")
    reviewer("cleo", available=False)
    dan = reviewer(f"dan{HOSTILE[:3]}", capacity=1)
    eve = reviewer("eve")
    eve.is_active = False
    eve.save()
    fay = reviewer("fay")
    fay.groups.remove(Group.objects.get(name="Fact-checkers"))
    work = [ClaimFactory(text=f"Claim {i} {HOSTILE} " + "word " * (i * 8)) for i in range(6)]
    for claim, person in zip(work, [ana, ana, dan, ben, ben, ana], strict=True):
        workflow.claim_assign(claim_id=claim.pk, assignee=person, actor=editor)
    ReviewerProfile.objects.filter(user=ana).update(capacity=2)
    ReviewerProfile.objects.filter(user=ben).update(away_until=timezone.localdate())
    Assignment.objects.filter(claim=work[0]).update(due_at=now - timedelta(hours=3))
    Assignment.objects.filter(claim=work[1]).update(due_at=now + timedelta(hours=2))
    Assignment.objects.filter(claim=work[2]).update(due_at=now - timedelta(days=2))
    Assignment.objects.filter(claim=work[3]).update(state="completed", ended_at=now)
    Assignment.objects.filter(claim=work[4]).update(
        state="completed", ended_at=now - timedelta(days=30)
    )
    waiting = [
        ClaimFactory(
            text=f"Waiting {i} {HOSTILE} " + "more words " * i, language="fr" if i % 3 else "en"
        )
        for i in range(23)
    ]
    Claim.objects.filter(pk__in=[c.pk for c in waiting]).update(created_at=now - timedelta(hours=5))
    for claim in waiting[:4]:
        claim.topics.set(Topic.objects.filter(slug__in=["economy", "health"]))
    for person, state in ((ana, "declined"), (ben, "expired"), (dan, "ended")):
        Assignment.objects.create(
            claim=waiting[0], reviewer=person, state=state, ended_at=now - timedelta(days=1)
        )
    for n, claim in enumerate(waiting[:3]):
        for hours, (before, after) in enumerate([("candidate", "open"), ("open", "assigned")]):
            ClaimEvent.objects.create(
                claim=claim,
                transition="x",
                from_state=before,
                to_state=after,
                created_at=now - timedelta(days=2, hours=10 - hours * (n + 1)),
            )
    return now


def _as_before(now):
    """The page's figures as the separate selectors read them (the page's code before)."""
    rows = list(selectors.workload(now=now))
    backlog = selectors.backlog_totals(now=now)
    return {
        "rows": rows,
        "stages": selectors.cycle_times(now=now),
        "overdue": selectors.overdue_assignments(now=now),
        "waiting": selectors.waiting_claims(pool=selectors.workload_pool(rows)),
        "waiting_total": backlog["waiting"],
        "overdue_total": backlog["overdue"],
    }


def _profile(p):
    return (
        p.pk,
        p.user.get_username(),
        p.user.get_full_name(),
        p.user.is_active,
        bool(p.is_fact_checker),
        p.languages,
        p.capacity,
        p.available,
        p.away_until,
        p.load,
        [(t.slug, t.name) for t in p.topics.all()],
        (p.open_count, p.due_soon_count, p.overdue_count, p.done_week_count),
    )


def test_one_query_reads_what_the_separate_selectors_read(busy_desk):
    now = busy_desk
    before = _as_before(now)
    with CaptureQueriesContext(connection) as queries:
        page = selectors.workload_page(now=now)
    # one on PostgreSQL; SQLite's portable path: the separate selectors, eight
    assert len(queries.captured_queries) == vendor.queries(postgresql=1, sqlite=8)
    assert [_profile(p) for p in page["rows"]] == [_profile(p) for p in before["rows"]]
    assert page["totals"] == selectors.workload_totals(before["rows"])
    assert page["stages"] == before["stages"]
    assert any(s.median for s in page["stages"])
    assert page["bottleneck"] == selectors.bottleneck(before["stages"])
    assert [(a.pk, a.claim.text, a.reviewer.get_username(), a.due_at) for a in page["overdue"]] == [
        (a.pk, a.claim.text, a.reviewer.get_username(), a.due_at) for a in before["overdue"]
    ]
    assert len(page["overdue"]) == 2
    assert [(c.pk, c.text, c.created_at, why) for c, why in page["waiting"]] == [
        (c.pk, c.text, c.created_at, why) for c, why in before["waiting"]
    ]
    assert len(page["waiting"]) == 20
    assert "declined this claim" in page["waiting"][0][1]
    assert (page["waiting_total"], page["overdue_total"]) == (23, 2)
    assert page["due_soon_hours"] == selectors.due_soon_hours()


# The template's loops these tags replace, as they were.
BEFORE = {
    "workload_rows": """{% for p in rows %}
  <tr{% if p.overdue_count %} class="overdue"{% endif %}>
    <td>{{ p.user.get_username }}{% if p.user.get_full_name %} <span class="why">({{ p.user.get_full_name }})</span>{% endif %}</td>
    <td data-label="Topics">{% for t in p.topics.all %}{{ t.name }}{% if not forloop.last %}, {% endif %}{% empty %}—{% endfor %}</td>
    <td data-label="Languages">{{ p.languages }}</td>
    <td class="num" data-label="Open">{{ p.open_count }}</td>
    <td class="num" data-label="Capacity">{{ p.capacity }}</td>
    <td class="num" data-label="Due in {{ due_soon_hours }} h">{{ p.due_soon_count }}</td>
    <td class="num{% if p.overdue_count %} alert{% endif %}" data-label="Overdue">{{ p.overdue_count }}{% if p.overdue_count %} overdue{% endif %}</td>
    <td class="num" data-label="Done this week">{{ p.done_week_count }}</td>
    <td data-label="Status">{% if not p.user.is_active %}inactive{% elif not p.available %}unavailable{% elif p.away_until %}away until {{ p.away_until|date:"Y-m-d" }}{% elif p.open_count >= p.capacity %}full{% else %}available{% endif %}</td>
    <td><a href="{% url 'reviewers:profile_edit' p.pk %}">Edit<span class="visually-hidden"> {{ p.user.get_username }}</span></a></td>
  </tr>
  {% empty %}
  <tr><td colspan="10" class="empty">No reviewer profiles yet. Add fact-checkers in the admin, then set their topics, languages and capacity here.</td></tr>
  {% endfor %}""",  # noqa: E501
    "overdue_rows": """{% load claims_ui %}{% for a in overdue %}
  <tr class="overdue"><td>{{ a.claim.text|truncatechars:100 }}</td><td data-label="Reviewer">{{ a.reviewer.get_username }}</td>
    <td class="due-cell" data-label="Deadline">{% deadline a.due_at %}</td>
    <td><a href="{% url 'reviewers:claim_assign' a.claim_id %}?next={{ request.path|urlencode }}">Reassign</a></td></tr>
  {% endfor %}""",  # noqa: E501
    "waiting_rows": """{% for claim, why in waiting %}
  <tr><td>{{ claim.text|truncatechars:100 }}</td><td data-label="Waiting">{{ claim.created_at|timesince }}</td><td class="why" data-label="Why nobody has it">{{ why }}</td>
    <td><a href="{% url 'reviewers:claim_assign' claim.pk %}?next={{ request.path|urlencode }}">Assign</a></td></tr>
  {% endfor %}""",  # noqa: E501
}
AFTER = {
    "workload_rows": "{% load reviewers %}{% workload_rows rows due_soon_hours %}",
    "overdue_rows": "{% load reviewers %}{% overdue_rows overdue %}",
    "waiting_rows": "{% load reviewers %}{% waiting_rows waiting %}",
}


@pytest.mark.parametrize("tag", list(BEFORE))
@pytest.mark.parametrize("empty", [False, True])
def test_rows_written_in_python_are_the_template_loops_html(busy_desk, tag, empty):
    page = selectors.workload_page(now=busy_desk)
    if empty:
        page = {**page, "rows": [], "overdue": [], "waiting": []}
    request = RequestFactory().get("/reviewers/work load/")
    engine = engines["django"]
    context = {**page, "request": request}
    before = engine.from_string(BEFORE[tag]).render(context)
    after = engine.from_string(AFTER[tag]).render(context)
    assert after == before
    if not empty:
        assert "&lt;b&gt;O&#x27;Brien &amp; &quot;Co&quot;&lt;/b&gt;" in after
        assert "<b>" not in after


def test_the_page_shows_everything_in_three_queries(
    client, editor, busy_desk, django_assert_num_queries
):
    client.force_login(editor)
    # the session with its user and their permissions, the page's one query, header counts
    # (SQLite: the session, the user and the permissions apart, the page in eight)
    with django_assert_num_queries(vendor.queries(postgresql=3, sqlite=12)):
        response = client.get(reverse("reviewers:workload"))
    html = response.content.decode()
    assert "Total (6 reviewers)" in html
    assert 'Overdue work <span class="muted">(2)</span>' in html
    assert "The 20 waiting longest of 23 open claims" in html
    assert "inactive" in html and "unavailable" in html and "away until" in html
    assert "<b>O'Brien" not in html
    assert ReviewerProfile.objects.count() == 6


def test_the_portable_path_reads_the_same(busy_desk, monkeypatch):
    """Where PostgreSQL's JSON is not at hand (the SQLite demo): the separate selectors."""
    one_query = selectors.workload_page(now=busy_desk)
    monkeypatch.setattr(connection, "vendor", "sqlite")
    portable = selectors.workload_page(now=busy_desk)
    assert [_profile(p) for p in portable["rows"]] == [_profile(p) for p in one_query["rows"]]
    assert [(c.pk, why) for c, why in portable["waiting"]] == [
        (c.pk, why) for c, why in one_query["waiting"]
    ]
    assert [a.pk for a in portable["overdue"]] == [a.pk for a in one_query["overdue"]]
    for key in ("totals", "stages", "bottleneck", "waiting_total", "overdue_total"):
        assert portable[key] == one_query[key]


def test_the_overviews_stuck_claims_in_one_statement_say_what_the_portable_path_says(
    busy_desk, monkeypatch
):
    """The overview's "claims nobody can take": on PostgreSQL every profile, the first claims
    and their total in one prepared statement; the same rows, reasons and total as the
    separate queries (what SQLite runs). Filed in the last five minutes: not stuck yet."""
    fresh = ClaimFactory(text="Filed just now")
    with CaptureQueriesContext(connection) as queries:
        one = selectors.stuck_claims(limit=8)
    assert len(queries.captured_queries) == vendor.queries(postgresql=1, sqlite=6)
    monkeypatch.setattr(connection, "vendor", "sqlite")
    portable = selectors.stuck_claims(limit=8)
    assert [(c.pk, c.text, why) for c, why in one["rows"]] == [
        (c.pk, c.text, why) for c, why in portable["rows"]
    ]
    assert len(one["rows"]) == 8 and fresh.pk not in [c.pk for c, _ in one["rows"]]
    assert one["total"] == portable["total"] == 23
    reasons = [why for _, why in one["rows"]]
    assert "declined this claim" in reasons[0]
    assert all(why.startswith("Nobody is eligible: ") for why in reasons), reasons
    assert "is marked unavailable" in reasons[1] and "is not a fact-checker" in reasons[1]


def test_the_waiting_time_is_the_timesince_filter_in_every_language():
    from django.template.defaultfilters import timesince_filter
    from django.utils import translation

    from reviewers.templatetags.reviewers import _waited

    now = timezone.now()
    moments = [now - timedelta(seconds=s) for s in (0, 59, 61, 3600, 86400, 8 * 86400, 400 * 86400)]
    for language in ("en", "de", "fr", "en"):
        with translation.override(language):
            for moment in [*moments, now + timedelta(days=1), None]:
                assert _waited(moment) == timesince_filter(moment)
