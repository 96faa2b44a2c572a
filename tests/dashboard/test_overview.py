"""The editors' overview: where editors land, what needs them now, at a constant query count."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import workflow
from claims.models import Claim, Evidence
from reviewers.models import ReviewerProfile
from tests.exports.data import verdict_claim
from tests.factories import ArticleFactory, ClaimFactory, fact_checker, rating

pytestmark = pytest.mark.django_db
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
