"""The claim page: the claim in its article, evidence, the verdict form, decisions, conflicts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import services, workflow
from claims.models import Claim, ClaimEvent, ClaimMatch, Evidence, PastFactCheck, Topic, Verdict
from reviewers.models import ReviewerProfile
from tests.factories import ArticleFactory, ClaimFactory, rating
from tests.vendor import queries

from .conftest import messages_of

pytestmark = pytest.mark.django_db
S = Claim.State


def url(claim, action=None):
    if action:
        return reverse("claims:claim_action", args=[claim.pk, action])
    return reverse("claims:claim", args=[claim.pk])


def test_claim_is_highlighted_in_its_article_with_the_context(checker_client, assigned_claim):
    response = checker_client.get(url(assigned_claim))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<mark class="claim-highlight" id="claim-in-text">The minister said unemployment '
        "fell to 4% last year.</mark>" in html
    )
    assert "The storm hit the coast on Monday." in html  # the sentence before
    assert "Critics disagreed with the figure." in html  # and after
    assert "Show the whole article" in html
    # who has it and why (the reason of the assignment)
    assert "topic: economy" in html
    assert "assigned by editor" in html


def test_article_text_with_script_is_shown_as_text(checker_client, checker, editor):
    body = 'Intro <script>alert("x")</script> here. The mayor said taxes fell 10% in 2024. End <b>.'
    claim_text = "The mayor said taxes fell 10% in 2024."
    start = body.index(claim_text)
    article = ArticleFactory(title="<script>t()</script>", body=body, publisher="<i>Pub</i>")
    claim = ClaimFactory(
        article=article,
        text=claim_text,
        start_offset=start,
        end_offset=start + len(claim_text),
        claimant="<img src=x onerror=alert(1)>",
    )
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=editor)
    html = checker_client.get(url(claim)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>." not in html and "&lt;b&gt;." in html
    assert "<script>t()</script>" not in html
    assert "<i>Pub</i>" not in html


def test_claim_inside_markup_is_escaped_too(checker_client, checker, editor):
    body = "Before. She said <script>x()</script> costs 5%. After."
    text = "She said <script>x()</script> costs 5%."
    start = body.index(text)
    claim = ClaimFactory(
        article=ArticleFactory(body=body), text=text, start_offset=start, end_offset=start + 40
    )
    html = checker_client.get(url(claim)).content.decode()
    assert "<script>x()" not in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html


def test_add_evidence_then_it_is_listed_with_a_message(checker_client, assigned_claim):
    response = checker_client.post(
        url(assigned_claim, "evidence"),
        {
            "version": assigned_claim.version,
            "url": "https://stats.example.org/unemployment",
            "title": "Labour statistics",
            "stance": "refutes",
            "excerpt": "Unemployment was 5%.",
            "note": "Official figure",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Evidence added. Its link will be checked in the background." in messages_of(response)
    evidence = Evidence.objects.get(claim=assigned_claim)
    assert evidence.stance == "refutes" and evidence.title == "Labour statistics"
    assert "Labour statistics" in response.content.decode()


def test_evidence_with_a_bad_url_keeps_the_form_filled(checker_client, assigned_claim):
    response = checker_client.post(
        url(assigned_claim, "evidence"),
        {
            "version": assigned_claim.version,
            "url": "javascript:alert(1)",
            "title": "My careful title",
            "stance": "supports",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Only http:// and https:// addresses are accepted" in html
    assert 'value="My careful title"' in html
    assert not Evidence.objects.exists()


def test_save_draft_then_submit_verdict(checker_client, assigned_claim, checker):
    false = rating("false")
    response = checker_client.post(
        url(assigned_claim, "verdict"),
        {
            "version": assigned_claim.version,
            "rating": false.pk,
            "summary": "It rose.",
            "rationale": "Because the statistics say so.",
            "intent": "save",
        },
        follow=True,
    )
    assert "Draft saved. Submit it when it is ready." in messages_of(response)
    claim = Claim.objects.get(pk=assigned_claim.pk)
    assert claim.state == S.IN_REVIEW
    verdict = Verdict.objects.get(claim=claim, is_current=True)
    assert verdict.state == "draft" and verdict.summary == "It rose."
    # The form comes back filled from the draft.
    assert 'value="It rose."' in response.content.decode()

    response = checker_client.post(
        url(claim, "verdict"),
        {
            "version": claim.version,
            "rating": false.pk,
            "summary": "It rose to 5%.",
            "rationale": "Because.",
            "intent": "submit",
        },
        follow=True,
    )
    assert "Verdict submitted to the editors." in messages_of(response)
    assert response.request["PATH_INFO"] == reverse("claims:home")
    claim.refresh_from_db()
    assert claim.state == S.SUBMITTED
    assert Verdict.objects.get(claim=claim, is_current=True).summary == "It rose to 5%."


def test_submit_without_rating_saves_the_draft_and_says_what_is_missing(
    checker_client, assigned_claim
):
    response = checker_client.post(
        url(assigned_claim, "verdict"),
        {
            "version": assigned_claim.version,
            "rating": "",
            "summary": "Summary only",
            "rationale": "",
            "intent": "submit",
        },
    )
    assert response.status_code == 400
    assert "The verdict needs a rating before it is submitted." in messages_of(response)
    assert 'value="Summary only"' in response.content.decode()
    assert Verdict.objects.get(claim=assigned_claim).summary == "Summary only"  # nothing lost


def test_stale_verdict_form_is_a_conflict_and_keeps_what_was_typed(
    checker_client, assigned_claim, editor
):
    loaded_version = assigned_claim.version
    workflow.claim_set_priority(claim_id=assigned_claim.pk, actor=editor, priority="urgent")
    response = checker_client.post(
        url(assigned_claim, "verdict"),
        {
            "version": loaded_version,
            "rating": rating("false").pk,
            "summary": "My careful summary",
            "rationale": "Two hours of reading",
            "intent": "save",
        },
    )
    assert response.status_code == 409
    texts = messages_of(response)
    assert any("This claim was changed since you loaded it" in m for m in texts)
    assert any("editor set its priority at" in m for m in texts)
    html = response.content.decode()
    assert 'value="My careful summary"' in html
    assert "Two hours of reading</textarea>" in html
    assert not Verdict.objects.filter(claim=assigned_claim).exists()
    # The refilled form carries the current version: sending it again now works.
    current = Claim.objects.get(pk=assigned_claim.pk).version
    assert f'name="version" value="{current}"' in html
    response = checker_client.post(
        url(assigned_claim, "verdict"),
        {
            "version": current,
            "rating": rating("false").pk,
            "summary": "My careful summary",
            "rationale": "Two hours of reading",
            "intent": "save",
        },
    )
    assert response.status_code == 302
    assert Verdict.objects.get(claim=assigned_claim).summary == "My careful summary"


def test_decline_needs_a_reason_and_then_frees_the_claim(checker_client, assigned_claim):
    response = checker_client.post(
        url(assigned_claim, "decline"), {"version": assigned_claim.version, "reason": ""}
    )
    assert response.status_code == 400
    assert Claim.objects.get(pk=assigned_claim.pk).state == S.ASSIGNED
    response = checker_client.post(
        url(assigned_claim, "decline"),
        {"version": assigned_claim.version, "reason": "Conflict of interest"},
        follow=True,
    )
    assert "You declined the claim; the editors were told." in messages_of(response)
    claim = Claim.objects.get(pk=assigned_claim.pk)
    assert claim.state == S.OPEN and claim.assignee is None
    event = ClaimEvent.objects.filter(claim=claim).first()
    assert event.transition == "decline" and event.details["reason"] == "Conflict of interest"


def test_editor_approves_from_the_claim_page(editor2_client, submitted_claim):
    response = editor2_client.get(url(submitted_claim))
    assert "Decide on the verdict" in response.content.decode()
    response = editor2_client.post(
        url(submitted_claim, "decide"),
        {"version": submitted_claim.version, "note": "Good", "intent": "approve"},
        follow=True,
    )
    assert "Verdict approved." in messages_of(response)
    assert Claim.objects.get(pk=submitted_claim.pk).state == S.APPROVED


def test_editor_returns_with_note_and_checker_sees_it(
    editor_client, checker_client, submitted_claim
):
    response = editor_client.post(
        url(submitted_claim, "decide"),
        {"version": submitted_claim.version, "note": "", "intent": "return"},
    )
    assert response.status_code == 400
    assert any("a returned verdict needs a note" in m for m in messages_of(response))
    response = editor_client.post(
        url(submitted_claim, "decide"),
        {"version": submitted_claim.version, "note": "Cite the 2024 survey.", "intent": "return"},
        follow=True,
    )
    assert "Verdict returned to checker with your note." in messages_of(response)
    page = checker_client.get(url(submitted_claim)).content.decode()
    assert "Returned by editor:" in page and "Cite the 2024 survey." in page
    # The form starts from the returned verdict: nothing to retype.
    assert 'value="Unemployment rose to 5%."' in page


def test_editor_who_wrote_the_verdict_gets_no_decide_form(editor, editor_client, open_claim):
    ReviewerProfile.objects.create(user=editor)  # the assignment policy reads it
    workflow.claim_assign(claim_id=open_claim.pk, assignee=editor, actor=editor)
    workflow.verdict_save_draft(
        claim_id=open_claim.pk, actor=editor, rating_id=rating().pk, summary="s"
    )
    workflow.claim_submit(claim_id=open_claim.pk, actor=editor)
    html = editor_client.get(url(open_claim)).content.decode()
    assert "Decide on the verdict" not in html
    assert "another editor must approve or return it" in html
    response = editor_client.post(
        url(open_claim, "decide"), {"version": 5, "intent": "approve", "note": ""}
    )
    assert response.status_code in {403, 409}
    assert Claim.objects.get(pk=open_claim.pk).state == S.SUBMITTED


def test_fact_checker_cannot_approve_by_url(checker2_client, submitted_claim):
    response = checker2_client.post(
        url(submitted_claim, "decide"),
        {"version": submitted_claim.version, "intent": "approve", "note": ""},
    )
    assert response.status_code == 403
    assert "Only an editor can do that." in response.content.decode()
    assert Claim.objects.get(pk=submitted_claim.pk).state == S.SUBMITTED


@pytest.mark.parametrize("action", ["assign", "unassign", "publish", "promote", "dismiss"])
def test_fact_checker_cannot_use_editor_actions(checker_client, assigned_claim, action):
    response = checker_client.post(
        url(assigned_claim, action), {"version": assigned_claim.version, "reason": "opinion"}
    )
    assert response.status_code == 403
    assert Claim.objects.get(pk=assigned_claim.pk).version == assigned_claim.version


def test_another_fact_checker_cannot_see_or_write_the_draft(
    checker2_client, assigned_claim, checker
):
    verdict = workflow.verdict_save_draft(
        claim_id=assigned_claim.pk,
        actor=checker,
        rating_id=rating().pk,
        summary="Secret draft summary",
        rationale="Private reasoning",
    )
    page = checker2_client.get(url(assigned_claim))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Secret draft summary" not in html and "Private reasoning" not in html
    assert "drafts are seen only by their author and the editors" in html
    assert 'id="verdict-form"' not in html
    assert checker2_client.get(reverse("claims:verdict", args=[verdict.pk])).status_code == 403
    response = checker2_client.post(
        url(assigned_claim, "verdict"),
        {"version": 3, "summary": "hijack", "intent": "save", "rating": ""},
    )
    assert response.status_code == 403
    assert Verdict.objects.get(pk=verdict.pk).summary == "Secret draft summary"


def test_author_and_editor_can_open_the_draft(checker_client, editor_client, assigned_claim):
    verdict = workflow.verdict_save_draft(
        claim_id=assigned_claim.pk,
        actor=assigned_claim.assignee,
        rating_id=rating().pk,
        summary="Draft words",
    )
    for client in (checker_client, editor_client):
        response = client.get(reverse("claims:verdict", args=[verdict.pk]))
        assert response.status_code == 200
        assert "Draft words" in response.content.decode()


def test_editor_assigns_and_reassigns_by_hand(editor_client, open_claim, checker, checker2):
    response = editor_client.post(
        url(open_claim, "assign"),
        {"version": open_claim.version, "assignee": checker.pk, "reason": "knows the file"},
        follow=True,
    )
    assert "Claim assigned to checker." in messages_of(response)
    claim = Claim.objects.get(pk=open_claim.pk)
    assert claim.assignee == checker and claim.state == S.ASSIGNED
    from reviewers.models import Assignment

    assert Assignment.objects.get(claim=claim, state="active").reason == "knows the file"
    response = editor_client.post(
        url(claim, "assign"), {"version": claim.version, "assignee": checker2.pk}, follow=True
    )
    assert "Claim reassigned to checker2." in messages_of(response)
    claim.refresh_from_db()
    assert claim.assignee == checker2
    response = editor_client.post(url(claim, "unassign"), {"version": claim.version}, follow=True)
    assert "Claim taken from checker2; it is open again." in messages_of(response)
    assert Claim.objects.get(pk=claim.pk).state == S.OPEN


def test_workflow_errors_are_messages_not_500(editor_client, open_claim):
    # Publishing an open claim is not a transition: a message, a 409, no crash.
    response = editor_client.post(url(open_claim, "publish"), {"version": open_claim.version})
    assert response.status_code == 409
    assert any("Cannot publish this claim: it is open." in m for m in messages_of(response))


def test_missing_version_is_a_field_error(editor_client, open_claim):
    response = editor_client.post(url(open_claim, "priority"), {"priority": "high"})
    assert response.status_code == 400
    assert "The form lost the claim's version: reload the page." in messages_of(response)


def test_unknown_claim_and_action_are_404(editor_client, open_claim):
    assert editor_client.get(reverse("claims:claim", args=[99999])).status_code == 404
    assert editor_client.post(url(open_claim, "explode"), {"version": 1}).status_code == 404


def test_checked_before_panel_shows_matches_with_their_verdicts(editor_client, open_claim):
    earlier = ClaimFactory(text="Unemployment fell to 4%.", state=S.OPEN)
    past = PastFactCheck.objects.create(
        claim_reviewed="Unemployment is at a record low",
        publisher="Other Checkers",
        url="https://other.example.org/check/1",
        rating=rating("mostly-false"),
    )
    ClaimMatch.objects.create(claim=open_claim, matched_claim=earlier, similarity=0.91)
    ClaimMatch.objects.create(claim=open_claim, past_fact_check=past, similarity=0.8)
    html = editor_client.get(url(open_claim)).content.decode()
    assert "Other Checkers" in html and "Mostly false" in html
    assert f"Claim {earlier.pk}" in html and "91% similar" in html


def test_history_lists_every_event_newest_first(editor_client, assigned_claim, checker):
    workflow.claim_start(claim_id=assigned_claim.pk, actor=checker)
    services.evidence_add(
        claim_id=assigned_claim.pk, actor=checker, url="https://example.org/a", stance="context"
    )
    html = editor_client.get(url(assigned_claim)).content.decode()
    history = html[html.index('id="history-heading"') :]
    assert history.index("evidence added") < history.index("work started")
    assert history.index("work started") < history.index("assigned — to checker")


def test_claim_page_query_count_does_not_grow_with_history(
    editor_client, assigned_claim, checker, django_assert_max_num_queries
):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert editor_client.get(url(assigned_claim)).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    # session with its user, permissions, the claim with everything its page shows (topics,
    # history, verdicts and votes, evidence, matches) and the header's counts, the assign
    # form's fact-checkers (and the "why unassigned" note's reviewers, if open). SQLite's
    # portable path: the session, the user and the permissions apart, the claim and each of
    # those six apart, and the header's counts.
    assert before <= queries(postgresql=3, sqlite=11)
    for i in range(15):
        services.evidence_add(
            claim_id=assigned_claim.pk, actor=checker, url=f"https://example.org/{i}"
        )
    assert count() == before
    with django_assert_max_num_queries(before):
        editor_client.get(url(assigned_claim))


def test_claim_page_reads_topics_once_for_the_claim_and_the_form(
    editor_client, open_claim, django_assert_max_num_queries
):
    economy, health = Topic.objects.get(slug="economy"), Topic.objects.get(slug="health")
    open_claim.topics.set([economy, health])
    with CaptureQueriesContext(connection) as ctx:
        response = editor_client.get(url(open_claim))
    assert len([q for q in ctx.captured_queries if '"claims_topic"' in q["sql"]]) == 1
    # the claim itself read once too (the "why unassigned" note judges the page's claim)
    assert (
        len([q for q in ctx.captured_queries if q["sql"].startswith('SELECT "claims_claim"."id"')])
        == 1
    )
    html = response.content.decode()
    assert "Why: " in html
    assert "<dt>Topics</dt><dd>Economy, Health</dd>" in html
    # the topic form: every topic offered, the claim's own chosen
    assert f'<option value="{economy.pk}" selected>Economy</option>' in html
    assert f'<option value="{health.pk}" selected>Health</option>' in html
    for other in Topic.objects.exclude(pk__in=[economy.pk, health.pk]):
        assert f'<option value="{other.pk}">{other.name}</option>' in html
    open_claim.topics.clear()
    html = editor_client.get(url(open_claim)).content.decode()
    assert '<dt>Topics</dt><dd><span class="muted">none</span></dd>' in html
    assert " selected>" not in html.split('name="topics"')[1].split("</select>")[0]
