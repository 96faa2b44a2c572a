"""The lists' rows written in Python (claims/views/rows.py): what they show, to whom, escaped,
in the same number of queries for a few rows or a full page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.filters import ClaimFilter
from claims.forms import BULK_CLAIM_ACTIONS, BulkForm
from claims.models import Claim, Topic, Verdict
from claims.views.common import filter_choices, tidy_filter_form
from tests.factories import ArticleFactory, ClaimFactory, rating

pytestmark = pytest.mark.django_db
S = Claim.State
EVIL = '<script>alert("x")</script>'


@pytest.fixture
def evil_claim(checker):
    article = ArticleFactory(title=EVIL, publisher=EVIL, body=f"{EVIL} said so.")
    topic = Topic.objects.create(slug="evil", name=EVIL)
    claim = ClaimFactory(
        article=article,
        text=f"{EVIL} said so.",
        claimant=EVIL,
        state=S.ASSIGNED,
        assignee=checker,
        due_at=timezone.now() + timedelta(hours=3),
        triage_reason=EVIL,
    )
    claim.topics.add(topic)
    return claim


def _escaped(html: str) -> None:
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_every_list_escapes_what_comes_from_articles_and_people(
    editor_client, checker_client, evil_claim
):
    html = editor_client.get(reverse("claims:claims")).content.decode()
    _escaped(html)
    assert f'href="/claims/{evil_claim.pk}/"' in html
    assert "due in 3 h" in html and 'class="state state-assigned"' in html
    html = checker_client.get(reverse("claims:home")).content.decode()
    _escaped(html)
    assert f'href="/claims/{evil_claim.pk}/" id="open-next"' in html
    html = editor_client.get(reverse("claims:article", args=[evil_claim.article_id])).content
    _escaped(html.decode())


def test_the_list_shows_a_draft_rating_to_editors_only(editor_client, checker_client, checker):
    drafted = ClaimFactory(state=S.IN_REVIEW, assignee=checker, text="Drafted claim")
    Verdict.objects.create(claim=drafted, author=checker, rating=rating("true"), summary="s")
    approved = ClaimFactory(state=S.APPROVED, text="Approved claim")
    Verdict.objects.create(
        claim=approved, author=checker, rating=rating("false"), summary="s", state="approved"
    )
    editor_html = editor_client.get(reverse("claims:claims")).content.decode()
    checker_html = checker_client.get(reverse("claims:claims")).content.decode()
    assert '<span class="rating">True</span> <span class="muted">(draft)</span>' in editor_html
    assert '<span class="rating">True</span>' not in checker_html
    assert '<span class="rating">False</span>' in editor_html
    assert '<span class="rating">False</span>' in checker_html
    queue = checker_client.get(reverse("claims:home")).content.decode()
    assert '<span class="rating">True</span> <span class="muted">(draft)</span>' in queue


def test_bulk_checkboxes_only_for_those_who_may_act(editor_client, checker_client, open_claim):
    editor_html = editor_client.get(reverse("claims:claims")).content.decode()
    assert f'name="claims" value="{open_claim.pk}"' in editor_html
    assert f'name="v_{open_claim.pk}" value="{open_claim.version}"' in editor_html
    assert 'name="claims"' not in checker_client.get(reverse("claims:claims")).content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_each_list_costs_the_same_queries_for_two_rows_or_a_full_page(
    editor_client, checker_client, checker
):
    article = ArticleFactory()
    economy = Topic.objects.get(slug="economy")

    def add(n):
        for _ in range(n):
            claim = ClaimFactory(article=article, state=S.ASSIGNED, assignee=checker)
            claim.topics.add(economy)
            Verdict.objects.create(claim=claim, author=checker, rating=rating(), summary="s")

    pages = [
        (editor_client, reverse("claims:claims")),
        (checker_client, reverse("claims:home")),
        (editor_client, reverse("claims:article", args=[article.pk])),
    ]
    add(2)
    few = [_queries(client, url) for client, url in pages]
    add(98)
    assert [_queries(client, url) for client, url in pages] == few


def test_filter_choices_are_the_filters_own(checker, editor):
    Topic.objects.create(slug="zeta", name="Zeta")
    Topic.objects.create(slug="alpha", name="alpha lower")
    claim_filter = ClaimFilter({}, queryset=Claim.objects.all())
    own = {
        name: [(str(v), str(label)) for v, label in claim_filter.form.fields[name].choices]
        for name in ("rating", "topic")
    }
    choices = filter_choices(with_fact_checkers=True)
    assert choices["rating"] == own["rating"] and choices["topic"] == own["topic"]
    bulk = BulkForm(actions=BULK_CLAIM_ACTIONS, claim_ids=[])
    assert [("", bulk.fields["assignee"].empty_label), *choices["user"]] == [
        (str(v), str(label)) for v, label in bulk.fields["assignee"].choices
    ]
    assert [name for _pk, name in choices["user"]] == ["checker", "editor"]
    tidy_filter_form(claim_filter)
    html = str(claim_filter.form["topic"])
    assert '<option value="zeta">Zeta</option>' in html


def test_the_claim_page_reads_its_current_and_latest_returned_verdict_in_one_query(
    checker, editor, django_assert_num_queries
):
    from claims import selectors

    claim = ClaimFactory(state=S.IN_REVIEW, assignee=checker)
    now = timezone.now()
    older, latest = (
        Verdict.objects.create(
            claim=claim,
            author=checker,
            summary=summary,
            state="returned",
            is_current=False,
            decided_at=now - timedelta(days=days),
            decision_note=summary,
        )
        for summary, days in (("older", 2), ("latest", 1))
    )
    current = Verdict.objects.create(claim=claim, author=checker, summary="draft")
    with django_assert_num_queries(2):  # the verdicts, their votes
        assert selectors.claim_verdicts_for_page(claim) == (current, latest)
    assert older.pk
    Verdict.objects.filter(pk=current.pk).delete()
    assert selectors.claim_verdicts_for_page(claim) == (None, latest)
    assert selectors.claim_verdicts_for_page(ClaimFactory()) == (None, None)
