"""Every dashboard page, as an editor and as a fact-checker, at 1280 and 390 px: no sideways
scrolling on a phone, no serious or critical accessibility violation (axe-core), screenshots."""

from datetime import timedelta

import pytest
from django.utils import timezone

from claims import workflow
from claims.models import Claim, Evidence
from reviewers.models import Notification, ReviewerProfile
from tests.factories import ArticleFactory, ClaimFactory, editor, fact_checker, rating

from .pagecheck import Findings, axe_violations, check_page, overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Claim.State

BODY = (
    "Officials spoke on Monday about the border and the economy. "
    "The minister said that unemployment fell to 4% last year across all eleven northern "
    "provinces, the lowest figure since the statistics office began counting in 1991. "
    "Opposition leader Maria Lopez said the real figure was above 5% in December. "
    "A spokesperson claimed exports rose 12% in 2025 despite the strikes at the ports. "
    "The treasury said the deficit halved to 2.1% of gross domestic product. "
    "Critics disagreed with every one of those figures."
)
LONG_URL = (
    "https://statistics.example.org/releases/2025/labour-market/unemployment-by-province-"
    "and-month-final-revised-figures-with-seasonal-adjustment.pdf"
)


def sentence(text: str, article) -> dict:
    start = BODY.index(text)
    end = start + len(text)
    return {"article": article, "text": text, "start_offset": start, "end_offset": end}


def verdict(claim, checker, slug="false"):
    workflow.verdict_save_draft(
        claim_id=claim.pk,
        actor=checker,
        rating_id=rating(slug).pk,
        summary="The statistics office's own release says 5.2%, not 4%.",
        rationale="The release of 14 January gives 5.2% for December.\n\nThe minister's figure "
        "is the rate for the capital only.",
    )


def build_desk() -> dict:
    ed, ed2 = editor("editor"), editor("editor2")
    checker, checker2 = fact_checker("checker"), fact_checker("checker2")
    ReviewerProfile.objects.filter(user=checker2).update(available=False)
    article = ArticleFactory(
        title="Ministers and the opposition trade figures on jobs, exports and the deficit",
        publisher="The Daily Example",
        body=BODY,
        url="https://news.example.com/2025/12/ministers-trade-figures",
    )
    texts = [
        "The minister said that unemployment fell to 4% last year across all eleven northern "
        "provinces, the lowest figure since the statistics office began counting in 1991.",
        "Opposition leader Maria Lopez said the real figure was above 5% in December.",
        "A spokesperson claimed exports rose 12% in 2025 despite the strikes at the ports.",
        "The treasury said the deficit halved to 2.1% of gross domestic product.",
        "Critics disagreed with every one of those figures.",
    ]
    made = [
        ClaimFactory(state=S.OPEN, claimant="Maria Lopez", position=i, **sentence(t, article))
        for i, t in enumerate(texts)
    ]
    assigned, submitted, approved, published, stuck = made

    workflow.claim_assign(claim_id=assigned.pk, assignee=checker, actor=ed, reason="topic: jobs")
    verdict_draft_claim = ClaimFactory(state=S.OPEN, claimant="The minister")
    workflow.claim_assign(claim_id=verdict_draft_claim.pk, assignee=checker, actor=ed)
    verdict(verdict_draft_claim, checker)
    Claim.objects.filter(pk=verdict_draft_claim.pk).update(
        due_at=timezone.now() - timedelta(hours=5)
    )

    for claim in (submitted, approved, published):
        workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=ed)
        Evidence.objects.create(
            claim=claim,
            url=LONG_URL,
            title="Labour market release, December (final, revised, seasonally adjusted)",
            publisher="Statistics Office",
            stance=Evidence.Stance.REFUTES,
            excerpt="Unemployment stood at 5.2% in December.",
            link_status=Evidence.LinkStatus.ERROR,
            link_detail="The site statistics.example.org refused the connection.",
            checked_at=timezone.now(),
        )
        verdict(claim, checker)
        workflow.claim_submit(claim_id=claim.pk, actor=checker)
    workflow.claim_approve(claim_id=approved.pk, actor=ed, note="Well sourced.")
    workflow.claim_approve(claim_id=published.pk, actor=ed2, note="")
    workflow.claim_publish(claim_id=published.pk, actor=ed2)
    Claim.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=2))
    Notification.objects.create(
        user=checker,
        kind="info",
        message="Reminder: claim "
        f"{assigned.pk} is due soon: “The minister said that unemployment fell to 4% last "
        "year across all eleven northern provinces…” " + LONG_URL,
    )
    return {
        "article": article,
        "assigned": assigned,
        "draft": verdict_draft_claim,
        "submitted": submitted,
        "approved": approved,
        "published": published,
        "stuck": stuck,
        "verdict": approved.verdicts.get(is_current=True),
        "profile": ReviewerProfile.objects.get(user=checker),
    }


def test_every_page_fits_a_phone_and_passes_axe_as_an_editor(open_session):
    desk = build_desk()
    findings = Findings()
    session = open_session("editor", bypass_csp=True)
    pages = [
        ("/", "editor-overview"),
        ("/queue/", "editor-queue"),
        ("/claims/", "editor-claims"),
        (f"/claims/{desk['submitted'].pk}/", "editor-claim-submitted"),
        (f"/claims/{desk['approved'].pk}/", "editor-claim-approved"),
        (f"/claims/{desk['published'].pk}/", "editor-claim-published"),
        (f"/claims/{desk['stuck'].pk}/", "editor-claim-open"),
        (f"/verdicts/{desk['verdict'].pk}/", "editor-verdict"),
        ("/ingest/", "editor-ingest"),
        (f"/articles/{desk['article'].pk}/", "editor-article"),
        ("/approvals/", "editor-approvals"),
        ("/reports/", "editor-reports"),
        ("/reports/exports/", "editor-exports"),
        ("/reports/import/", "editor-import"),
        ("/reports/corrections/", "editor-corrections"),
        (f"/reports/corrections/{desk['published'].pk}/", "editor-correction"),
        ("/reviewers/workload/", "editor-workload"),
        ("/reviewers/notifications/", "editor-notifications"),
        (f"/reviewers/{desk['profile'].pk}/edit/", "editor-profile"),
        (f"/reviewers/claims/{desk['stuck'].pk}/assign/", "editor-assign"),
        ("/reviewers/bulk-assign/", "editor-bulk-assign"),
        ("/account/api-token/", "editor-api-token"),
        ("/fact-checks/", "public-list"),
        (f"/fact-checks/{desk['published'].pk}/", "public-fact-check"),
    ]
    for path, name in pages:
        check_page(session, path, name, findings)
    findings.assert_none()


def test_every_page_fits_a_phone_and_passes_axe_as_a_fact_checker(open_session):
    desk = build_desk()
    findings = Findings()
    session = open_session("checker", bypass_csp=True)
    pages = [
        ("/", "checker-queue"),
        ("/claims/", "checker-claims"),
        (f"/claims/{desk['assigned'].pk}/", "checker-claim-assigned"),
        (f"/claims/{desk['draft'].pk}/", "checker-claim-draft"),
        (f"/claims/{desk['approved'].pk}/", "checker-claim-approved"),
        (f"/reviewers/claims/{desk['assigned'].pk}/decline/", "checker-decline"),
        ("/reviewers/notifications/", "checker-notifications"),
        ("/reports/", "checker-reports"),
        ("/account/api-token/", "checker-api-token"),
    ]
    for path, name in pages:
        check_page(session, path, name, findings)
    check_page(session, "/reviewers/workload/", "checker-403", findings, status=403)
    session.context.clear_cookies()
    check_page(session, "/accounts/login/", "login", findings)
    findings.assert_none()


@pytest.mark.django_db(transaction=False)
def test_the_page_checks_catch_sideways_scrolling_and_accessibility_problems(browser):
    """The checks above can fail: a too-wide page and an image without text are caught."""
    context = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        page = context.new_page()
        page.set_content(
            '<html lang="en"><head><title>t</title></head><body><main>'
            '<div id="wide" style="width: 900px">wide</div><img src="data:,">'
            "</main></body></html>"
        )
        width, culprits = overflow(page)
        assert width > 900 and any(c.startswith("div#wide") for c in culprits)
        violations = axe_violations(page)
        assert any(v.startswith("critical image-alt") for v in violations), violations
    finally:
        context.close()
