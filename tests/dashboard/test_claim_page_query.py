"""The claim page reads its claim and everything shown beside it in one query: the same page as
the separate ORM reads give (`selectors.claim_page_extras_portable`, SQLite's path)."""

import re

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import selectors, services, workflow
from claims.forms import (
    DecisionForm,
    DeclineForm,
    DismissForm,
    EvidenceForm,
    PriorityForm,
    TopicsForm,
    VerdictForm,
)
from claims.models import ClaimMatch, Evidence, PastFactCheck, Topic
from tests.factories import ClaimFactory, rating, submit_verdict
from tests.vendor import postgresql_only

pytestmark = pytest.mark.django_db

HOSTILE = '<script>O\'Brien & "Co"</script>'


@pytest.fixture
def busy_claim(assigned_claim, checker, editor, editor2):
    """A claim with a returned verdict and a submitted one, votes, evidence in several link
    states, topics, matches of both kinds and a claim it repeats; hostile text everywhere."""
    claim = submit_verdict(assigned_claim, checker, summary=f"First {HOSTILE}")
    workflow.claim_return(claim_id=claim.pk, actor=editor, note=f"Check again {HOSTILE}")
    claim = submit_verdict(claim, checker, summary=f"Second {HOSTILE}", rationale=HOSTILE)
    for n, status in enumerate(["ok", "gone", "error"]):
        services.evidence_add(
            claim_id=claim.pk,
            actor=checker,
            url=f"https://example.org/{n}?q={HOSTILE[:8]}",
            title=f"Source {n} {HOSTILE}",
            publisher=HOSTILE,
            stance="refutes",
            excerpt=f"Quoted {HOSTILE}",
            note=f"Note {HOSTILE}",
        )
        Evidence.objects.filter(claim=claim, url__startswith=f"https://example.org/{n}").update(
            link_status=status, http_status=404 if status == "gone" else None, link_detail=HOSTILE
        )
    claim.topics.set(Topic.objects.filter(slug__in=["economy", "health"]))
    earlier = ClaimFactory(text=f"Earlier {HOSTILE}")
    submit_verdict(_assigned(earlier, checker, editor), checker)
    past = PastFactCheck.objects.create(
        claim_reviewed=f"Reviewed {HOSTILE}",
        publisher=HOSTILE,
        url="https://other.example.org/check/1",
        rating=rating("mostly-false"),
    )
    ClaimMatch.objects.create(claim=claim, matched_claim=earlier, similarity=0.91)
    ClaimMatch.objects.create(claim=claim, past_fact_check=past, similarity=0.8, exact=True)
    ClaimMatch.objects.create(claim=claim, matched_claim=ClaimFactory(), similarity=0.85)
    type(claim).objects.filter(pk=claim.pk).update(duplicate_of=earlier)
    return claim


def _assigned(claim, checker, editor):
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=editor)
    return claim


def _separate_reads(claim_id, figures=None):
    # SQLite's path: no figures read with the claim (the header asks its own query).
    claim = selectors.claim_for_page(claim_id)
    return claim, selectors.claim_page_extras_portable(claim)


def _normalised(html: str) -> str:
    html = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', r"\1TOKEN", html)
    return re.sub(r'nonce="[^"]+"', 'nonce="N"', html)


@pytest.mark.parametrize("who", ["editor_client", "editor2_client", "checker_client"])
def test_the_one_query_page_is_the_separate_reads_page(request, who, busy_claim, monkeypatch):
    client = request.getfixturevalue(who)
    url = reverse("claims:claim", args=[busy_claim.pk])
    with CaptureQueriesContext(connection) as queries:
        one_query = client.get(url)
    page_queries = [q for q in queries.captured_queries if '"claims_claim"."id" =' in q["sql"]]
    assert len(page_queries) == 1
    monkeypatch.setattr(selectors, "claim_page", _separate_reads)
    separate = client.get(url)
    assert one_query.status_code == separate.status_code == 200
    html = _normalised(one_query.content.decode())
    assert html == _normalised(separate.content.decode())
    assert "<script>O'Brien" not in html
    for shown in ("Check again", "Source 2", "Reviewed", "Earlier", "Economy", "91% similar"):
        assert shown in html


def test_one_query_reads_the_same_objects(busy_claim):
    claim, extras = selectors.claim_page(busy_claim.pk)
    before_claim, before = _separate_reads(busy_claim.pk)
    assert (claim.pk, claim.version, claim.text, claim.article.body, claim.assignee) == (
        before_claim.pk,
        before_claim.version,
        before_claim.text,
        before_claim.article.body,
        before_claim.assignee,
    )
    assert claim.duplicate_of.pk == before_claim.duplicate_of.pk
    assert list(claim.topics.all()) == list(before_claim.topics.all())
    assert extras.topics == before.topics
    assert [(e.pk, e.actor, e.details, e.created_at) for e in extras.history] == [
        (e.pk, e.actor, e.details, e.created_at) for e in before.history
    ]
    assert (extras.verdict, extras.returned) == (before.verdict, before.returned)
    assert extras.returned.decision_note.startswith("Check again")
    assert list(extras.verdict.votes.all()) == list(before.verdict.votes.all())
    assert extras.verdict.rating == before.verdict.rating
    assert [(e.pk, e.added_by, e.checked_at, e.link_status) for e in extras.evidence] == [
        (e.pk, e.added_by, e.checked_at, e.link_status) for e in before.evidence
    ]
    assert [(m.pk, m.matched_claim, m.past_fact_check, m.similarity) for m in extras.matches] == [
        (m.pk, m.matched_claim, m.past_fact_check, m.similarity) for m in before.matches
    ]
    assert extras.assignment == before.assignment is not None


def test_a_missing_claim_is_none():
    assert selectors.claim_page(987654) is None


FORMS = [
    (EvidenceForm, {}),
    (EvidenceForm, {"url": "javascript:alert(1)", "title": HOSTILE, "stance": "nope"}),
    (VerdictForm, {}),
    (VerdictForm, {"summary": HOSTILE * 20, "rationale": HOSTILE}),
    (DecisionForm, {"note": HOSTILE}),
    (DismissForm, {"reason": HOSTILE}),
    (DeclineForm, {}),
    (PriorityForm, {"priority": "high"}),
    (TopicsForm, {"topics": ["x"]}),
]


@pytest.mark.parametrize(("form_class", "posted"), FORMS)
@pytest.mark.parametrize("bound", [False, True])
@pytest.mark.parametrize("label", [None, f"Dismiss as {HOSTILE}"])
def test_fields_written_in_python_are_the_field_templates_html(form_class, posted, bound, label):
    from claims.views.claim import field_html

    data = {"version": "1", **posted} if bound else None
    form = form_class(data, auto_id="id_slot_%s")
    if bound:
        form.is_valid()
    template = engines["django"].from_string(
        '{% include "claims/_field.html" with field=field label=label %}'
    )
    for field in form:
        if field.is_hidden:
            continue
        assert field_html(field, label) == template.render({"field": field, "label": label})


@postgresql_only("to_jsonb rows: the claim page's one statement is PostgreSQL's path")
def test_rows_as_json_become_instances_with_python_values(busy_claim):
    from claims.models import Claim

    Claim.objects.filter(pk=busy_claim.pk).update(embedding=b"\x00\x01\xfe", score=1.0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_jsonb(c) FROM claims_claim c WHERE id = %s", [busy_claim.pk])
        (row,) = cursor.fetchone()
    built = selectors.json_builder(Claim)(selectors.json_value(row))
    stored = Claim.objects.get(pk=busy_claim.pk)
    for field in Claim._meta.concrete_fields:
        assert getattr(built, field.attname) == getattr(stored, field.attname), field.name
    assert isinstance(built.score, float) and built.embedding == b"\x00\x01\xfe"
    partial = selectors.json_builder(Claim)({"id": busy_claim.pk, "text": "x"})
    assert partial.get_deferred_fields() >= {"embedding", "context", "state"}


@postgresql_only("the header's figures ride on the claim page's PostgreSQL statement")
@pytest.mark.parametrize("who", ["editor", "checker"])
def test_the_claim_page_reads_the_headers_figures_in_its_own_statement(
    request, who, busy_claim, editor, checker
):
    """The header's two counts (unread notifications; verdicts waiting, for editors) come from
    the claim page's one statement, not a query of their own, and are the counts
    `header_counts` reads, fresh on each request."""
    from reviewers.context_processors import header_counts
    from reviewers.models import Notification

    user = {"editor": editor, "checker": checker}[who]
    client = request.getfixturevalue(f"{who}_client")
    page_url = reverse("claims:claim", args=[busy_claim.pk])
    already = header_counts(user)["unread"]  # what the fixture's workflow told them
    for n in range(3):
        Notification.objects.create(user=user, kind="test", message=f"Note {n}")
    for expected_unread in (already + 3, already + 4):
        with CaptureQueriesContext(connection) as queries:
            html = client.get(page_url).content.decode()
        statements = [q["sql"] for q in queries.captured_queries]
        assert not any(
            "reviewers_notification" in sql and '"claims_claim"."id" =' not in sql
            for sql in statements
        ), statements
        counts = header_counts(user)
        assert counts["unread"] == expected_unread
        assert f'aria-label="{expected_unread} unread">{expected_unread}</span>' in html
        if who == "editor":
            assert counts["waiting"] >= 1
            shown = counts["waiting"]
            assert f'aria-label="{shown} waiting">{shown}</span>' in html
        else:
            assert "waiting</span>" not in html and 'waiting">' not in html
        Notification.objects.create(user=user, kind="test", message="One more")
