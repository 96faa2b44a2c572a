"""Reports: the four charts from the claim filters, and the export buttons."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import selectors, workflow
from claims.models import Claim, Verdict
from tests.factories import ClaimFactory, rating
from tests.vendor import queries

pytestmark = pytest.mark.django_db
S = Claim.State


def approve(editor, checker, claim, slug="false"):
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=editor)
    workflow.verdict_save_draft(
        claim_id=claim.pk, actor=checker, rating_id=rating(slug).pk, summary="s"
    )
    workflow.claim_submit(claim_id=claim.pk, actor=checker)
    workflow.claim_approve(claim_id=claim.pk, actor=editor)


def test_figures_count_states_ratings_weeks_and_time_to_verdict(editor, checker):
    a, b, c = ClaimFactory(), ClaimFactory(), ClaimFactory()
    ClaimFactory(state=S.CANDIDATE)
    approve(editor, checker, a, "false")
    approve(editor, checker, b, "true")
    Claim.objects.filter(pk=b.pk).update(created_at=timezone.now() - timedelta(days=2))
    figures = selectors.report_figures(Claim.objects.all())
    states = {value: n for value, _, n in figures["by_state"]}
    assert states["approved"] == 2 and states["open"] == 1 and states["candidate"] == 1
    ratings = {slug: n for slug, _, n in figures["by_rating"]}
    assert ratings["false"] == 1 and ratings["true"] == 1 and ratings["misleading"] == 0
    assert figures["per_week"][-1][1] == 2 and sum(n for _, n in figures["per_week"]) == 2
    assert len(figures["per_week"]) == 12
    buckets = dict(figures["time_to_verdict"])
    assert buckets["under 4 h"] == 1 and buckets["1–3 days"] == 1
    assert figures["approved_count"] == 2 and figures["total"] == 4
    assert c.pk


def test_report_page_draws_svg_charts_and_follows_the_filters(editor_client, editor, checker):
    a = ClaimFactory(claimant="Kabulov")
    approve(editor, checker, a, "false")
    ClaimFactory(claimant="Someone else")
    response = editor_client.get(reverse("claims:reports"), {"claimant": "kabulov"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") == 4 and 'role="img"' in html
    assert "1 claim selected" in html
    assert "<title>False: 1</title>" in html
    assert "<title>Open: 0</title>" in html


def test_export_buttons_carry_the_filters_for_editors_only(editor_client, checker_client):
    ClaimFactory()
    html = editor_client.get(reverse("claims:reports"), {"state": "approved"}).content.decode()
    assert 'href="/reports/export/?format=csv&amp;state=approved"' in html
    assert 'href="/reports/export/?format=claimreview&amp;state=approved"' in html
    html = checker_client.get(reverse("claims:reports")).content.decode()
    assert "/reports/export/" not in html


def test_report_page_query_count_is_bounded(editor_client, django_assert_max_num_queries):
    for _ in range(40):
        ClaimFactory()
    # session with its user, permissions, choices, the figures, the header's counts; SQLite
    # reads the permissions apart and the figures in five (report_figures_portable)
    with django_assert_max_num_queries(queries(postgresql=4, sqlite=10)):
        assert editor_client.get(reverse("claims:reports")).status_code == 200


def test_empty_report_teaches(editor_client):
    html = editor_client.get(reverse("claims:reports")).content.decode()
    assert "No claims match these filters." in html
    assert Verdict.objects.count() == 0


def test_the_one_query_gives_the_figures_the_separate_queries_give(editor, checker):
    """report_figures reads everything in one query on PostgreSQL; the portable path (SQLite)
    reads it in several. Both give the same figures, filtered or not."""
    claims = [ClaimFactory() for _ in range(5)]
    ClaimFactory(state=S.CANDIDATE)
    for claim, slug in zip(claims[:4], ["false", "true", "false", "misleading"], strict=True):
        approve(editor, checker, claim, slug)
    ages = [timedelta(hours=1), timedelta(hours=30), timedelta(days=5), timedelta(days=20)]
    for claim, age in zip(claims, ages, strict=False):
        Claim.objects.filter(pk=claim.pk).update(created_at=timezone.now() - age)
    Verdict.objects.filter(claim=claims[3]).update(decided_at=timezone.now() - timedelta(days=9))
    now = timezone.now()
    for chosen in (
        Claim.objects.all(),
        Claim.objects.filter(state=S.APPROVED),
        Claim.objects.filter(pk__in=[claims[0].pk, claims[4].pk]),
        Claim.objects.none(),
    ):
        one = selectors.report_figures(chosen, now=now)
        several = selectors.report_figures_portable(chosen, weeks=12, now=now)
        # The median of an even count is the mean of the middle two: PostgreSQL's interval
        # arithmetic and Python's timedelta may round that mean a microsecond apart.
        medians = one.pop("median_time_to_verdict"), several.pop("median_time_to_verdict")
        assert one == several
        if medians[1] is None:
            assert medians[0] is None
        else:
            assert abs(medians[0] - medians[1]) <= timedelta(microseconds=1)
    figures = selectors.report_figures(Claim.objects.all(), now=now)
    assert figures["approved_count"] == 4 and figures["total"] == 6
    assert sum(n for _, n in figures["per_week"]) == 4
    assert dict(figures["time_to_verdict"])["over 7 days"] == 1


def test_report_figures_are_one_query(django_assert_num_queries):
    ClaimFactory()
    with django_assert_num_queries(queries(postgresql=1, sqlite=5)):  # SQLite: the portable path
        selectors.report_figures(Claim.objects.all())
