"""The editors' overview: where editors land, what needs them now, at a constant query count."""

import importlib
from datetime import timedelta

import pytest
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from claims import selectors, workflow
from claims.models import BROKEN_SOURCE, Article, Claim, Evidence, Verdict
from claims.views.overview import NEW_ARTICLES_HOURS, SHOWN, Section
from reviewers.models import ReviewerProfile
from reviewers.selectors import backlog
from tests import vendor
from tests.exports.data import verdict_claim
from tests.factories import ArticleFactory, ClaimFactory, fact_checker, make_evidence, rating

pytestmark = pytest.mark.django_db
# The view's module (claims.views exports the view itself under the same name).
overview_view = importlib.import_module("claims.views.overview")
S = Claim.State


def build_desk(editor, checker, n: int, tag: str) -> None:
    """n of everything the overview lists."""
    for i in range(n):
        # a submitted verdict
        claim = ClaimFactory(state=S.OPEN, text=f"Submitted claim {tag}{i} said exports rose.")
        workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=editor)
        workflow.verdict_save_draft(
            claim_id=claim.pk,
            actor=checker,
            rating_id=rating("false").pk,
            summary="No.",
            rationale="Because.",
        )
        workflow.claim_submit(claim_id=claim.pk, actor=checker)
        # overdue work
        late = ClaimFactory(state=S.OPEN, text=f"Late claim {tag}{i} said taxes fell.")
        workflow.claim_assign(claim_id=late.pk, assignee=checker, actor=editor)
        Claim.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=2))
        # an open claim nobody can take, waiting for an hour
        stuck = ClaimFactory(state=S.OPEN, text=f"Stuck claim {tag}{i} said prices doubled.")
        Claim.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=1))
        # a published fact-check whose source broke
        published = verdict_claim(author=checker, decider=editor, text=f"Published {tag}{i}.")
        Evidence.objects.filter(claim=published).update(
            link_status=Evidence.LinkStatus.GONE,
            http_status=404,
            link_detail="The page is gone: the server answered 404 Not Found.",
            checked_at=timezone.now(),
        )
        # a new article
        ArticleFactory(title=f"New article {tag}{i}")


def test_editor_lands_on_the_overview_and_checker_on_the_queue(editor_client, checker_client):
    html = editor_client.get("/").content.decode()
    assert "<h1>What needs the desk now</h1>" in html
    assert 'href="/queue/"' in html and ">My queue</a>" in html and ">Overview</a>" in html
    html = checker_client.get("/").content.decode()
    assert "<h1>My queue</h1>" in html and "What needs the desk now" not in html
    assert checker_client.get("/overview/").status_code == 403
    assert editor_client.get("/queue/").status_code == 200
    assert "<h1>My queue</h1>" in editor_client.get("/queue/").content.decode()


def test_empty_overview_teaches(editor_client):
    html = editor_client.get(reverse("claims:overview")).content.decode()
    for sentence in (
        "No verdict is waiting for an editor.",
        "Every open claim finds a reviewer.",
        "Nothing is overdue.",
        "Every source behind a published fact-check still works and is unchanged.",
    ):
        assert sentence in html


def test_overview_lists_what_needs_an_editor_with_reasons_and_totals(editor_client, editor):
    checker = fact_checker("checker9")
    ReviewerProfile.objects.update_or_create(user=checker, defaults={"capacity": 100})
    build_desk(editor, checker, 2, "a")
    ReviewerProfile.objects.filter(user=checker).update(available=False)
    html = editor_client.get("/").content.decode()
    assert "Submitted claim a0 said exports rose." in html
    assert "Late claim a1 said taxes fell." in html and "overdue by" in html
    assert "Stuck claim a0 said prices doubled." in html
    assert "Nobody is eligible: checker9 is marked unavailable." in html
    assert "The page is gone: the server answered 404 Not Found." in html
    assert "New article a1" in html
    assert "<strong>2</strong> verdicts waiting" in html
    assert "<strong>2</strong> overdue" in html
    assert "<strong>2</strong> claims nobody can take" in html
    assert "<strong>2</strong> failing sources behind published fact-checks" in html


def test_overview_query_count_does_not_grow_with_the_desk(
    editor_client, editor, django_assert_max_num_queries
):
    checker = fact_checker("checker9")
    ReviewerProfile.objects.update_or_create(user=checker, defaults={"capacity": 100})
    build_desk(editor, checker, 2, "a")
    ReviewerProfile.objects.filter(user=checker).update(available=False)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert editor_client.get("/").status_code == 200
    ReviewerProfile.objects.filter(user=checker).update(available=True)
    build_desk(editor, checker, 12, "b")
    ReviewerProfile.objects.filter(user=checker).update(available=False)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = editor_client.get("/").content.decode()
    assert "<strong>14</strong> verdicts waiting" in html
    assert "All 14 waiting verdicts" in html
    assert "<strong>14</strong> claims nobody can take" in html


# --- The same sections, rows and totals as the page's first queries --------------------------
# The page reads each section's first rows by their ids and its totals in one query (claims/
# selectors/overview.py). `legacy_sections` is what it read before (commit 45af761): every
# candidate's row joined and counted, then the first 8. The desk below is built so that a wrong
# shortcut would show: more rows than shown, ties, rows just outside each section's condition.


def legacy_sections(now) -> dict:
    def section(queryset) -> Section:
        return Section(rows=list(queryset[:SHOWN]), total=queryset.order_by().count())

    broken = Q(link_status__in=[Evidence.LinkStatus.GONE, Evidence.LinkStatus.ERROR]) | Q(
        changed_since_cited=True
    )
    return {
        "waiting": section(selectors.approvals_queue()),
        "overdue": section(
            Claim.objects.filter(
                state__in=Claim.WORKING_STATES, due_at__lt=now, assignee__isnull=False
            )
            .select_related("article", "assignee")
            .order_by("due_at", "pk")
        ),
        "failing": section(
            Evidence.objects.filter(broken, claim__state=S.PUBLISHED)
            .select_related("claim")
            .order_by("-checked_at", "pk")
        ),
        "articles": section(
            Article.objects.filter(created_at__gte=now - timedelta(hours=NEW_ARTICLES_HOURS))
            .select_related("submitted_by")
            .annotate(
                claim_count=Count("claims"),
                open_count=Count("claims", filter=Q(claims__state=S.OPEN)),
                candidate_count=Count("claims", filter=Q(claims__state=S.CANDIDATE)),
            )
            .order_by("-created_at", "-pk")
        ),
    }


def shown(name: str, row) -> tuple:
    """What the page shows of a row of section `name`."""
    if name == "waiting":
        verdicts = [
            (v.pk, v.rating.label if v.rating else None, v.author.get_username())
            for v in row.current_verdicts
        ]
        return (row.pk, row.text, row.submitted_at, verdicts)
    if name == "overdue":
        return (row.pk, row.text, row.assignee.get_username(), row.state, row.due_at)
    if name == "failing":
        fields = ("link_status", "http_status", "link_detail", "changed_since_cited", "checked_at")
        return (row.pk, row.claim_id, row.claim.text, *(getattr(row, f) for f in fields))
    counts = (row.claim_count, row.open_count, row.candidate_count)
    return (row.pk, row.title, row.publisher, row.get_status_display(), *counts, row.created_at)


def build_varied_desk(editor, checker, scale: int, now) -> None:
    """scale x (a dozen of each section's rows, and of rows each section must leave out)."""
    old = ArticleFactory(title="Old article", created_at=now - timedelta(days=5))
    one_time = now - timedelta(days=1)

    def waiting(i, submitted_at, *, verdict_state=Verdict.State.SUBMITTED, current=True):
        claim = ClaimFactory(article=old, state=S.SUBMITTED, assignee=checker)
        Verdict.objects.create(
            claim=claim,
            author=checker,
            rating=rating("false") if i % 3 else None,
            state=verdict_state,
            is_current=current,
            submitted_at=submitted_at,
            submitted_by=checker if submitted_at else None,
        )

    for n in range(scale):
        for i in range(12):
            # submitted out of id order, two at the very same moment (then by id)
            waiting(i, one_time if i in (4, 7) else now - timedelta(hours=(i * 7) % 12 + n))
        waiting(0, None, current=False)  # submitted, no current verdict: last (first on SQLite)
        waiting(1, now - timedelta(days=30), verdict_state=Verdict.State.RETURNED)
        for state in (S.APPROVED, S.PUBLISHED, S.IN_REVIEW):  # verdicts submitted long ago
            claim = ClaimFactory(
                article=old,
                state=state,
                assignee=checker,
                published_at=now if state == S.PUBLISHED else None,
            )
            Verdict.objects.create(
                claim=claim,
                author=checker,
                state=Verdict.State.APPROVED,
                submitted_at=now - timedelta(days=60),
            )
        for i in range(12):
            ClaimFactory(
                article=old,
                state=(S.ASSIGNED, S.IN_REVIEW)[i % 2],
                assignee=checker,
                due_at=now - timedelta(hours=(i * 5) % 12 + 1) if i != 3 else one_time,
            )
        ClaimFactory(article=old, state=S.ASSIGNED, assignee=checker, due_at=one_time)
        ClaimFactory(article=old, state=S.ASSIGNED, assignee=checker, due_at=now + timedelta(1))
        ClaimFactory(article=old, state=S.OPEN, due_at=now - timedelta(hours=3))
        ClaimFactory(article=old, state=S.SUBMITTED, assignee=checker, due_at=one_time)
        for i in range(12):
            state = S.PUBLISHED if i < 9 else (S.APPROVED, S.OPEN, S.SUBMITTED)[i - 9]
            claim = ClaimFactory(
                article=old, state=state, published_at=now if state == S.PUBLISHED else None
            )
            for k, (status, changed) in enumerate(
                (
                    (Evidence.LinkStatus.GONE, False),
                    (Evidence.LinkStatus.ERROR, False),
                    (Evidence.LinkStatus.OK, True),
                    (Evidence.LinkStatus.OK, False),
                    (Evidence.LinkStatus.MOVED, False),
                )
            ):
                make_evidence(
                    f"https://stats.example.org/{n}/{i}/{k}",
                    claim=claim,
                    link_status=status,
                    changed_since_cited=changed,
                    http_status=404 if status == Evidence.LinkStatus.GONE else None,
                    link_detail="The page is gone." if status == Evidence.LinkStatus.GONE else "",
                    checked_at=None if (i, k) == (2, 2) else now - timedelta(hours=(i * k) % 7),
                )
        for i in range(12):
            created = one_time if i in (2, 5) else now - timedelta(hours=(i * 5) % 47)
            article = ArticleFactory(title=f"New {n}.{i}", created_at=created)
            states = [S.OPEN] * i + [S.CANDIDATE] * (i % 4) + [S.ASSIGNED] * (i % 2)
            for state in states:
                ClaimFactory(
                    article=article,
                    state=state,
                    assignee=checker if state == S.ASSIGNED else None,
                    due_at=now + timedelta(days=1),
                )
        window = timedelta(hours=NEW_ARTICLES_HOURS)
        ArticleFactory(title=f"Just in {n}", created_at=now - window + timedelta(minutes=1))
        ArticleFactory(title=f"Just out {n}", created_at=now - window - timedelta(minutes=1))


def overview_region(html: str) -> str:
    """The page's own part, from its heading on (not the header, with its tokens)."""
    return html[html.index('<div class="page-head">') : html.index("</main>")]


@pytest.mark.parametrize("scale", [1, 2])
def test_overview_shows_what_the_first_queries_showed(editor_client, editor, monkeypatch, scale):
    checker = fact_checker("checker9")
    built = timezone.now()
    build_varied_desk(editor, checker, scale, built)
    frozen = built + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: frozen)  # the same "now", relative times too
    seen = {}
    real_render = overview_view.render

    def keep(request, template, context):
        seen.update(context)
        return real_render(request, template, context)

    monkeypatch.setattr(overview_view, "render", keep)
    response = editor_client.get("/")
    legacy = legacy_sections(frozen)
    assert legacy["waiting"].total == 16 * scale and legacy["overdue"].total == 13 * scale
    assert legacy["failing"].total == 27 * scale and legacy["articles"].total == 13 * scale
    for name, section in legacy.items():
        assert seen[name].total == section.total, name
        assert [shown(name, r) for r in seen[name].rows] == [
            shown(name, r) for r in section.rows
        ], name
        assert len(section.rows) == SHOWN
    old_html = render_to_string(
        "claims/overview.html",
        {**seen, **legacy},
        request=response.wsgi_request,
    )
    assert overview_region(response.content.decode()) == overview_region(old_html)


def test_broken_source_is_the_link_statuses_named():
    named = Q(link_status__in=[Evidence.LinkStatus.GONE, Evidence.LinkStatus.ERROR])
    assert named | Q(changed_since_cited=True) == BROKEN_SOURCE


def test_overview_queries_stay_constant_as_every_section_grows(
    editor_client, editor, django_assert_max_num_queries
):
    checker = fact_checker("checker9")
    build_varied_desk(editor, checker, 1, timezone.now())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert editor_client.get("/").status_code == 200
    build_varied_desk(editor, checker, 3, timezone.now())
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = editor_client.get("/").content.decode()
    assert "<strong>64</strong> verdicts waiting" in html
    assert "<strong>108</strong> failing sources" in html
    # the session with its user, the totals with the header's, the four sections' rows in one
    # statement and the reviewers' stuck claims in another (SQLite: the session and the user
    # apart, the user's permissions; 2 waiting, overdue, failing and articles; the stuck
    # claims' rows, their topics and total; no claim is stuck in this desk, so no reviewer is
    # read)
    assert len(small.captured_queries) == vendor.queries(postgresql=4, sqlite=11)


def test_stuck_total_counts_open_claims_filed_before_the_cutoff(editor_client):
    now = timezone.now()
    for minutes, state in ((1, S.OPEN), (4, S.OPEN), (6, S.OPEN), (60, S.OPEN), (60, S.ASSIGNED)):
        claim = ClaimFactory(state=S.OPEN)
        Claim.objects.filter(pk=claim.pk).update(
            created_at=now - timedelta(minutes=minutes), state=state
        )
    ClaimFactory(state=S.OPEN, created_at=now + timedelta(hours=1))  # filed "in the future"
    stuck = backlog.stuck_claims(limit=8)
    cutoff = timezone.now() - timedelta(minutes=stuck["minutes"])
    assert stuck["total"] == Claim.objects.filter(state=S.OPEN, created_at__lt=cutoff).count()
    assert stuck["total"] == 2 and len(stuck["rows"]) == 2
    html = editor_client.get("/").content.decode()
    assert "<strong>2</strong> claims nobody can take" in html
