"""Issue 15 in the browser: a newsroom's day without surprises (links, states, refusals, back
button, evidence form, the editors' overview, the progress poller)."""

import json
import re
import time
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from claims import workflow
from claims.models import Article, Claim, Evidence, Rating
from reviewers.management.commands.seed_demo import configurators_group
from reviewers.models import Notification
from tests.exports.data import verdict_claim
from tests.factories import ArticleFactory, ClaimFactory, UserFactory, editor, fact_checker

from .test_dashboard_flows import BODY, CLAIM_TEXT, claim_in_article, submitted_claim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Claim.State
REASON = "The site stats.example.org refused the connection."


def test_progress_poller_stops_once_done_and_loads_the_result_once(open_session):
    editor("editor")
    article = ArticleFactory(status=Article.Status.PROCESSING, progress=40, body=BODY)
    desk = open_session("editor")
    page = desk.page
    polls, loads = [], []
    page.on(
        "request",
        lambda r: polls.append(time.monotonic()) if r.url.endswith("/status/") else None,
    )
    page.on("load", lambda p: loads.append(p.url))
    page.goto(f"/articles/{article.pk}/")
    expect(page.locator("progress")).to_have_attribute("value", "40")
    Article.objects.filter(pk=article.pk).update(progress=70)
    expect(page.locator("progress")).to_have_attribute("value", "70")  # it polls while working
    start = BODY.index(CLAIM_TEXT)
    ClaimFactory(
        article=article, text=CLAIM_TEXT, start_offset=start, end_offset=start + len(CLAIM_TEXT)
    )
    Article.objects.filter(pk=article.pk).update(status=Article.Status.READY, progress=100)
    expect(page.get_by_role("heading", name=re.compile("Sentences, scored"))).to_be_visible()
    loads_when_done, polls_when_done = len(loads), len(polls)
    assert polls_when_done >= 2
    page.wait_for_timeout(3500)  # three more poll periods
    assert len(polls) == polls_when_done, "the poller kept polling after extraction ended"
    assert len(loads) == loads_when_done == 2, loads  # the page, then the result once
    expect(page.locator("#article-status")).to_have_count(0)


def test_public_links_name_site_url(open_session, live_server, settings):
    settings.SITE_URL = live_server.url
    checker, ed = fact_checker("checker"), editor("editor")
    claim = verdict_claim(author=checker, decider=ed)
    desk = open_session("editor")
    page = desk.page
    page.goto(f"/fact-checks/{claim.pk}/")
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["url"] == f"{live_server.url}/fact-checks/{claim.pk}/"
    rss = ET.fromstring(page.request.get("/fact-checks/feed.rss").body())  # noqa: S314
    (item,) = rss.find("channel").findall("item")
    assert item.findtext("guid") == item.findtext("link") == data["url"]


def test_claim_and_approval_pages_say_why_a_source_failed(open_session):
    the_editor, checker = editor("editor"), fact_checker("checker")
    editor("editor2")
    claim = submitted_claim(the_editor, checker)
    Evidence.objects.create(
        claim=claim,
        url="https://stats.example.org/release",
        title="Labour release",
        link_status=Evidence.LinkStatus.ERROR,
        link_detail=REASON,
        checked_at=timezone.now(),
    )
    desk = open_session("editor2")
    page = desk.page
    page.goto(f"/claims/{claim.pk}/")
    expect(page.locator("#evidence .warning")).to_contain_text(
        "The source “Labour release” could not be reached"
    )
    expect(page.locator("#evidence .warning")).to_contain_text(REASON)
    page.goto("/approvals/")
    expect(page.locator(f"#approval-{claim.pk} .warning")).to_contain_text(REASON)


def test_approved_claim_says_who_approved_and_nothing_contradicts_it(open_session):
    the_editor, checker = editor("editor"), fact_checker("checker")
    claim = submitted_claim(the_editor, checker)
    desk = open_session("editor")
    page = desk.page
    page.goto(f"/claims/{claim.pk}/")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text("approved")
    page.goto(f"/claims/{claim.pk}/")
    expect(page.locator("h1 .state")).to_have_text("Approved")
    expect(page.locator(".verdict-byline")).to_have_text("Written by checker · approved by editor")
    expect(page.get_by_text("waits for other editors")).to_have_count(0)
    expect(page.get_by_role("button", name="Publish the fact-check")).to_be_visible()
    desk.shot("claim-approved")


def test_configurator_edits_the_rating_scale_in_the_admin(open_session):
    user = UserFactory(username="conf", is_staff=True)
    user.groups.add(configurators_group())
    desk = open_session("conf")
    page = desk.page
    page.goto("/admin/")
    for name in ("Topics", "Ratings", "Reviewer profiles"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    for governed in ("claim", "verdict", "evidence", "claimevent"):
        expect(page.locator(f'a[href="/admin/claims/{governed}/"]')).to_have_count(0)
    unverifiable = Rating.objects.get(slug="unverifiable")
    page.goto(f"/admin/claims/rating/{unverifiable.pk}/change/")
    page.locator("#id_label").fill("Cannot be verified")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Rating.objects.get(pk=unverifiable.pk).label == "Cannot be verified"


def test_back_after_submitting_fetches_the_page_again(open_session):
    the_editor, checker_user = editor("editor"), fact_checker("checker")
    claim = claim_in_article(state=S.OPEN)
    workflow.claim_assign(claim_id=claim.pk, assignee=checker_user, actor=the_editor)
    checker = open_session("checker")
    page = checker.page
    page.goto(f"/claims/{claim.pk}/")
    page.locator("#id_verdict_rating").select_option(label="False")
    page.locator("#id_verdict_summary").fill("It rose.")
    page.locator("#id_verdict_rationale").fill("The survey says so.")
    page.get_by_role("button", name="Submit verdict").click()
    expect(page.locator(".messages")).to_contain_text("Verdict submitted to the editors.")
    page.go_back()
    # No stale editable form from the back-forward cache: the page is fetched again.
    expect(page.locator("h1 .state")).to_have_text("Submitted")
    expect(page.locator("#verdict-form")).to_have_count(0)


def test_fact_checker_opening_workload_gets_the_styled_refusal(open_session):
    fact_checker("checker")
    checker = open_session("checker")
    page = checker.page
    response = page.goto("/reviewers/workload/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Only editors can see the reviewers")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("My queue")


def test_workload_totals_and_notification_snippets(open_session):
    the_editor, checker = editor("editor"), fact_checker("checker")
    for i in range(22):
        ClaimFactory(state=S.OPEN, text=f"Claim number {i} says that prices rose by {i}%.")
    long = ClaimFactory(
        state=S.OPEN,
        text="The minister said that unemployment fell to four percent in every single region.",
    )
    workflow.claim_assign(claim_id=long.pk, assignee=checker, actor=the_editor)
    desk = open_session("editor")
    page = desk.page
    page.goto("/reviewers/workload/")
    expect(page.locator("#waiting-heading")).to_contain_text("(22)")
    expect(page.locator("#waiting-total")).to_contain_text("The 20 waiting longest of 22")
    expect(page.locator("#workload tfoot")).to_contain_text("Total")
    checker_session = open_session("checker")
    checker_session.page.goto("/reviewers/notifications/")
    text = checker_session.page.locator("#notifications").inner_text()
    message = Notification.objects.get(user=checker, kind="assigned").message
    quoted = message.split("“", 1)[1].split("”", 1)[0]
    assert quoted in text and quoted.endswith("…")
    assert long.text.startswith(quoted[:-1]) and long.text[len(quoted) - 1] == " "


def test_add_evidence_stays_open_for_the_next_link_and_the_verdict_still_submits(open_session):
    the_editor, checker_user = editor("editor"), fact_checker("checker")
    claim = claim_in_article(state=S.OPEN)
    workflow.claim_assign(claim_id=claim.pk, assignee=checker_user, actor=the_editor)
    checker = open_session("checker")
    page = checker.page
    page.goto(f"/claims/{claim.pk}/")
    page.locator("#id_verdict_summary").fill("Typed before adding links.")
    for n in (1, 2):
        page.locator("#id_evidence_url").fill(f"https://stats.example.org/table-{n}")
        page.locator("#id_evidence_title").fill(f"Table {n}")
        page.get_by_role("button", name="Add evidence").click()
        expect(page.locator("#evidence-heading")).to_contain_text(f"({n})")
        expect(page.locator("#messages")).to_contain_text("Evidence added.")
        expect(page.locator("#add-evidence")).to_have_attribute("open", "")
        expect(page.locator("#id_evidence_url")).to_have_value("")
    # What was typed in the verdict stays, and the verdict goes through without a conflict.
    expect(page.locator("#id_verdict_summary")).to_have_value("Typed before adding links.")
    page.locator("#id_verdict_rating").select_option(label="False")
    page.locator("#id_verdict_rationale").fill("Two tables.")
    page.get_by_role("button", name="Submit verdict").click()
    expect(page.locator(".messages")).to_contain_text("Verdict submitted to the editors.")
    assert Claim.objects.get(pk=claim.pk).state == S.SUBMITTED
    assert Evidence.objects.filter(claim=claim).count() == 2


def test_editor_lands_on_the_overview_and_opens_a_waiting_verdict(open_session):
    the_editor, checker = editor("editor"), fact_checker("checker")
    editor("editor2")
    claim = submitted_claim(the_editor, checker)
    published = verdict_claim(author=checker, decider=the_editor)
    Evidence.objects.filter(claim=published).update(
        link_status=Evidence.LinkStatus.GONE, link_detail="The page is gone: 404 Not Found."
    )
    desk = open_session("editor2")  # lands on / after logging in
    page = desk.page
    expect(page.get_by_role("heading", name="What needs the desk now")).to_be_visible()
    expect(page.locator("#waiting")).to_contain_text(claim.text)
    expect(page.locator("#failing")).to_contain_text("The page is gone: 404 Not Found.")
    expect(page.locator(".overview-counts")).to_contain_text("1 verdict waiting")
    desk.shot("overview")
    page.locator("#waiting").get_by_role("link", name=claim.text).click()
    page.wait_for_url(re.compile(rf"/claims/{claim.pk}/"))
    expect(page.get_by_role("button", name="Approve")).to_be_visible()
