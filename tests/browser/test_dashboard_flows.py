"""The dashboard clicked through as fact-checkers and editors would, in real Chromium."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from claims import workflow
from claims.models import Article, Claim, Verdict
from reviewers.models import Assignment
from tests.factories import ArticleFactory, ClaimFactory, editor, fact_checker, submit_verdict
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
S = Claim.State

ARTICLE = (
    "Jobs figures dispute.\n\n"
    "The minister said unemployment fell to 4% last year. "
    "Opposition leader Maria Lopez said the real figure was above 5% in December. "
    "The statistics office will publish revised numbers on 12 March. "
    "Officials claimed exports rose 12% in 2025 despite the strikes."
)
BODY = (
    "The storm hit the coast on Monday. The minister said unemployment fell to 4% last year. "
    "Critics disagreed with the figure."
)
CLAIM_TEXT = "The minister said unemployment fell to 4% last year."


def claim_in_article(**fields) -> Claim:
    article = ArticleFactory(title="Jobs report", publisher="The Daily Example", body=BODY)
    start = BODY.index(CLAIM_TEXT)
    return ClaimFactory(
        article=article,
        text=CLAIM_TEXT,
        start_offset=start,
        end_offset=start + len(CLAIM_TEXT),
        **fields,
    )


def submitted_claim(the_editor, the_checker) -> Claim:
    claim = claim_in_article()
    workflow.claim_assign(claim_id=claim.pk, assignee=the_checker, actor=the_editor)
    return submit_verdict(
        claim,
        the_checker,
        rating_slug="mostly-false",
        summary="It rose slightly.",
        rationale="The survey says so.",
    )


@pytest.mark.integration
def test_end_to_end_ingest_assign_check_approve_report(open_session, celery_worker):
    editor("editor")
    checker_user = fact_checker("checker")

    # The editor pastes an article; the real worker extracts its claims while the page shows
    # the progress and then reloads itself with the scored sentences.
    desk = open_session("editor")
    page = desk.page
    page.goto("/ingest/")
    desk.shot("ingest")
    page.get_by_label("Article text").fill(ARTICLE)
    page.locator("#id_title").fill("Jobs and exports")
    page.locator("#id_publisher").fill("The Daily Example")
    page.get_by_role("button", name="Ingest and extract claims").click()
    page.wait_for_url(re.compile(r"/articles/\d+/"))
    expect(page.locator(".messages")).to_contain_text("Article filed.")
    article_id = int(re.search(r"/articles/(\d+)/", page.url).group(1))
    expect(page.get_by_role("heading", name=re.compile("Sentences, scored"))).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_role("link", name=CLAIM_TEXT)).to_be_visible()
    desk.shot("article-triage")
    assert Article.objects.get(pk=article_id).status == Article.Status.READY

    # The scheduler assigns (the worker may already have done it on the filing signal).
    from reviewers.services import assign_open_claims

    assign_open_claims()
    wait_until(
        lambda: Claim.objects.filter(article_id=article_id, assignee=checker_user).exists(),
        message="a claim assigned to the fact-checker",
    )

    # The fact-checker opens the next claim, adds evidence (key e), and submits a verdict.
    checker = open_session("checker")
    cp = checker.page
    cp.goto("/")
    next_link = cp.get_by_role("link", name=re.compile("Open the next claim"))
    expect(next_link).to_be_visible()
    checker.shot("my-queue")
    next_link.click()
    cp.wait_for_url(re.compile(r"/claims/\d+/"))
    claim_id = int(re.search(r"/claims/(\d+)/", cp.url).group(1))
    expect(cp.locator("#claim-in-text")).to_be_visible()
    cp.keyboard.press("e")
    expect(cp.locator("#id_evidence_url")).to_be_focused()
    cp.locator("#id_evidence_url").fill("https://stats.example.org/labour-force")
    cp.locator("#id_evidence_title").fill("Labour force survey")
    cp.locator("#id_evidence_stance").select_option("refutes")
    cp.locator("#id_evidence_excerpt").fill("Unemployment was 5.1% in December.")
    cp.get_by_role("button", name="Add evidence").click()
    expect(cp.locator(".messages")).to_contain_text("Evidence added.")
    expect(cp.locator(".evidence-list")).to_contain_text("Labour force survey")
    cp.locator("#id_verdict_rating").select_option(label="False")
    cp.locator("#id_verdict_summary").fill("Unemployment rose; it did not fall.")
    cp.locator("#id_verdict_rationale").fill("The labour force survey shows 5.1% in December.")
    checker.shot("claim-page")
    cp.get_by_role("button", name="Submit verdict").click()
    expect(cp.locator(".messages")).to_contain_text("Verdict submitted to the editors.")
    assert Claim.objects.get(pk=claim_id).state == S.SUBMITTED

    # The editor approves it from the approval queue.
    page.goto("/approvals/")
    item = page.locator(f"#approval-{claim_id}")
    expect(item).to_contain_text("Unemployment rose; it did not fall.")
    expect(item).to_contain_text("Labour force survey")
    desk.shot("approvals")
    item.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text(f"Verdict on claim {claim_id} approved.")
    assert Claim.objects.get(pk=claim_id).state == S.APPROVED

    # The reports page counts it.
    page.goto("/reports/")
    expect(page.get_by_role("heading", name="Verdicts by rating")).to_be_visible()
    html = page.content()
    assert "<title>False: 1</title>" in html
    assert "<title>Approved: 1</title>" in html
    desk.shot("reports")
    page.goto("/claims/")
    expect(page.locator("table.list")).to_contain_text("unemployment fell to 4%")
    desk.shot("claims-list")


def test_export_of_the_report_contains_the_approved_verdict(open_session):
    the_editor, the_checker, editor2 = editor("editor"), fact_checker("checker"), editor("ed2")
    claim = submitted_claim(editor2, the_checker)
    workflow.claim_approve(claim_id=claim.pk, actor=the_editor)
    desk = open_session("editor")
    desk.page.goto("/reports/")
    with desk.page.expect_download() as download:
        desk.page.get_by_role("link", name="CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert "It rose slightly." in content


def test_return_with_note_loop(open_session):
    the_editor, the_checker = editor("editor"), fact_checker("checker")
    claim = submitted_claim(editor("editor2"), the_checker)

    desk = open_session("editor")
    page = desk.page
    page.goto("/approvals/")
    item = page.locator(f"#approval-{claim.pk}")
    item.get_by_role("button", name="Return with note").click()
    expect(page.locator(".messages")).to_contain_text("a returned verdict needs a note")
    item = page.locator(f"#approval-{claim.pk}")
    item.get_by_label("Note").fill("Cite the statistics office's revised figure.")
    item.get_by_role("button", name="Return with note").click()
    expect(page.locator(".messages")).to_contain_text("returned to checker with your note")

    checker = open_session("checker")
    cp = checker.page
    cp.goto(f"/claims/{claim.pk}/")
    expect(cp.locator(".note")).to_contain_text("Cite the statistics office's revised figure.")
    expect(cp.locator("#id_verdict_summary")).to_have_value("It rose slightly.")
    checker.shot("returned-claim")
    cp.locator("#id_verdict_summary").fill("It rose to 5.1%, per the revised figure.")
    cp.get_by_role("button", name="Submit verdict").click()
    expect(cp.locator(".messages")).to_contain_text("Verdict submitted to the editors.")

    page.goto("/approvals/")
    item = page.locator(f"#approval-{claim.pk}")
    expect(item).to_contain_text("It rose to 5.1%, per the revised figure.")
    item.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text("approved")
    claim.refresh_from_db()
    assert claim.state == S.APPROVED
    current = Verdict.objects.get(claim=claim, is_current=True)
    assert current.summary == "It rose to 5.1%, per the revised figure."
    assert current.decided_by == the_editor


def test_stale_form_conflict_keeps_what_was_typed(open_session):
    the_editor, the_checker = editor("editor"), fact_checker("checker")
    claim = claim_in_article()
    workflow.claim_assign(claim_id=claim.pk, assignee=the_checker, actor=the_editor)

    checker = open_session("checker")
    cp = checker.page
    cp.goto(f"/claims/{claim.pk}/")
    cp.locator("#id_verdict_rating").select_option(label="Half true")
    cp.locator("#id_verdict_summary").fill("Partly right: it fell, but to 4.4%.")
    cp.locator("#id_verdict_rationale").fill("An hour of careful reading.")
    # Meanwhile an editor changes the claim.
    workflow.claim_set_priority(claim_id=claim.pk, actor=the_editor, priority="urgent")
    cp.get_by_role("button", name="Save draft").click()
    expect(cp.locator(".messages")).to_contain_text("This claim was changed since you loaded it")
    expect(cp.locator(".messages")).to_contain_text("editor set its priority at")
    expect(cp.locator("#id_verdict_summary")).to_have_value("Partly right: it fell, but to 4.4%.")
    expect(cp.locator("#id_verdict_rationale")).to_have_value("An hour of careful reading.")
    checker.shot("conflict")
    assert not Verdict.objects.filter(claim=claim).exists()
    # Having seen the change, sending again saves.
    cp.get_by_role("button", name="Save draft").click()
    expect(cp.locator(".messages")).to_contain_text("Draft saved.")
    assert Verdict.objects.get(claim=claim).summary == "Partly right: it fell, but to 4.4%."


def test_declining_a_claim(open_session):
    the_editor, the_checker = editor("editor"), fact_checker("checker")
    claim = claim_in_article()
    workflow.claim_assign(claim_id=claim.pk, assignee=the_checker, actor=the_editor)

    checker = open_session("checker")
    cp = checker.page
    cp.goto(f"/claims/{claim.pk}/")
    cp.get_by_text("Decline this claim").click()
    cp.locator("#decline-form button[type=submit]").click()  # no reason: the browser stops it
    assert cp.evaluate("document.querySelector('#id_decline_reason').validity.valueMissing")
    assert Claim.objects.get(pk=claim.pk).state == S.ASSIGNED
    cp.get_by_label("Why you decline").fill("I reported on this ministry last year.")
    cp.locator("#decline-form button[type=submit]").click()
    cp.wait_for_url(re.compile(r"/$"))
    expect(cp.locator(".messages")).to_contain_text(
        "You declined the claim; the editors were told."
    )
    expect(cp.locator(".empty-state")).to_contain_text("No claims assigned to you.")
    checker.shot("queue-empty")
    claim.refresh_from_db()
    assert claim.state == S.OPEN and claim.assignee is None
    assignment = Assignment.objects.get(claim=claim)
    assert assignment.state == Assignment.State.DECLINED
    assert assignment.decline_reason == "I reported on this ministry last year."


def test_refused_actions_for_a_fact_checker(open_session):
    editor("editor")
    fact_checker("checker")
    checker = open_session("checker")
    cp = checker.page
    expect(cp.get_by_role("navigation", name="Main")).not_to_contain_text("Approvals")
    expect(cp.get_by_role("navigation", name="Main")).not_to_contain_text("Ingest")
    response = cp.goto("/approvals/")
    assert response.status == 403
    expect(cp.get_by_role("alert")).to_contain_text("Only editors approve verdicts.")
    checker.shot("refused")
    response = cp.goto("/ingest/")
    assert response.status == 403
    expect(cp.get_by_role("alert")).to_contain_text("Only editors can ingest articles.")


def test_keyboard_shortcuts_and_narrow_window(open_session):
    editor("editor")
    claims = [claim_in_article(state=S.OPEN)]
    desk = open_session("editor")
    page = desk.page
    page.goto("/claims/")
    page.keyboard.press("j")
    first = page.locator("tr[data-row]").first
    expect(first).to_have_class(re.compile("is-current"))
    expect(first.locator("a[data-row-link]")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/claims/{claims[0].pk}/"))
    page.keyboard.press("/")
    expect(page.locator("#site-search")).to_be_focused()
    page.locator("#site-search").press("Escape")
    page.locator("h1").click()
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    # On a narrow window the work column goes below the article.
    page.set_viewport_size({"width": 800, "height": 900})
    article_box = page.locator("#claim-context").bounding_box()
    work_box = page.locator(".work").bounding_box()
    assert work_box["y"] > article_box["y"] + article_box["height"]
    desk.shot("claim-page-narrow")
    # Focus is visible: a keyboard-focused link has an outline.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_ingestion_progress_updates_live_and_shows_the_sentences(open_session):
    editor("editor")
    article = ArticleFactory(status=Article.Status.PROCESSING, progress=40, body=BODY)
    desk = open_session("editor")
    page = desk.page
    page.goto(f"/articles/{article.pk}/")
    expect(page.locator("progress")).to_have_attribute("value", "40")
    desk.shot("ingest-progress")
    Article.objects.filter(pk=article.pk).update(progress=70)
    expect(page.locator("progress")).to_have_attribute("value", "70")  # htmx polled it
    start = BODY.index(CLAIM_TEXT)
    ClaimFactory(
        article=article, text=CLAIM_TEXT, start_offset=start, end_offset=start + len(CLAIM_TEXT)
    )
    Article.objects.filter(pk=article.pk).update(status=Article.Status.READY, progress=100)
    # The page reloads itself when extraction ends and shows the scored sentences.
    expect(page.get_by_role("heading", name=re.compile("Sentences, scored"))).to_be_visible()
    expect(page.get_by_role("link", name=CLAIM_TEXT)).to_be_visible()
    expect(page.locator("progress")).to_have_count(0)
