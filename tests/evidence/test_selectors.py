"""What pages, the approval queue and the exports read about evidence."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from claims.evidence import services
from claims.evidence.selectors import (
    evidence_summary,
    format_date,
    link_sentence,
    problem_sentence,
    quote_sentence,
)
from claims.models import Claim, Evidence
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

CHECKED = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)


def evidence(claim=None, **fields):
    return Evidence.objects.create(
        claim=claim or ClaimFactory(), url=fields.pop("url", "https://example.org/a"), **fields
    )


def test_summary_of_checked_evidence(django_assert_num_queries):
    item = evidence(
        title="Ministry report",
        publisher="Ministry",
        stance=Evidence.Stance.REFUTES,
        excerpt="exports rose 12%",
        link_status=Evidence.LinkStatus.GONE,
        http_status=404,
        link_detail="The page is gone: The site answered 404 Not Found for https://example.org/a.",
        checked_at=CHECKED,
        quote_status=Evidence.QuoteStatus.NOT_FOUND,
        quote_checked_at=CHECKED - timedelta(days=2),
        archive_url="https://web.archive.org/web/20260301000000/https://example.org/a",
        changed_since_cited=True,
        created_at=datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
    )
    with django_assert_num_queries(0):
        summary = evidence_summary(item)
    assert summary == {
        "id": item.pk,
        "url": "https://example.org/a",
        "title": "Ministry report",
        "publisher": "Ministry",
        "stance": "refutes",
        "stance_label": "Refutes",
        "link_status": "gone",
        "link_status_label": "Gone",
        "link_sentence": "Gone (404), checked 5 March 2026",
        "link_detail": "The page is gone: The site answered 404 Not Found for https://example.org/a.",
        "http_status": 404,
        "final_url": "",
        "archive_url": "https://web.archive.org/web/20260301000000/https://example.org/a",
        "excerpt": "exports rose 12%",
        "quote_status": "not_found",
        "quote_sentence": "quote not found in the source as fetched on 3 March 2026",
        "changed_since_cited": True,
        "change_sentence": "changed since it was cited on 1 February 2026",
        "needs_attention": True,
        "checked_at": "2026-03-05T14:30:00+00:00",
        "added_at": "2026-02-01T09:00:00+00:00",
    }
    json.dumps(summary)  # ready for JSON exports and the API


def test_summary_of_new_evidence():
    summary = evidence_summary(evidence(url="https://example.org/b", excerpt="a quote"))
    assert summary["title"] == "https://example.org/b"
    assert summary["link_sentence"] == "Not checked yet"
    assert summary["quote_sentence"] == "quote not checked yet"
    assert summary["change_sentence"] == "" and summary["needs_attention"] is False
    assert summary["checked_at"] is None


def test_quote_sentences():
    assert quote_sentence(evidence()) == ""
    found = evidence(excerpt="x", quote_status="found", checked_at=CHECKED)
    assert quote_sentence(found) == "quote found"
    assert link_sentence(evidence(link_status="ok", http_status=200, checked_at=CHECKED)) == (
        "OK (200), checked 5 March 2026"
    )
    assert format_date(None) == ""


def test_problems_for_the_claim_page():
    claim, fine = ClaimFactory(state=Claim.State.PUBLISHED), ClaimFactory()
    report = evidence(
        claim, title="Report", link_status="gone", http_status=410, checked_at=CHECKED
    )
    broken = evidence(claim, url="https://example.org/c", link_status="error", checked_at=CHECKED)
    statement = evidence(
        claim,
        title="Statement",
        changed_since_cited=True,
        created_at=datetime(2026, 1, 2, tzinfo=UTC),
    )
    passing = evidence(claim, link_status="timed_out", checked_at=CHECKED)  # may be passing
    ok = evidence(fine, link_status="ok", checked_at=CHECKED)
    assert [problem_sentence(e) for e in (statement, report, broken, passing, ok)] == [
        "The source “Statement” changed since it was cited on 2 January 2026.",
        "The source “Report” is gone (Gone (410), checked 5 March 2026).",
        "The source “https://example.org/c” could not be reached (Error, checked 5 March 2026).",
        "",
        "",
    ]


def test_recheck_batch_puts_published_fact_checks_first(settings):
    settings.EVIDENCE_RECHECK_HOURS = 24
    now = timezone.now()
    draft, published = ClaimFactory(), ClaimFactory(state=Claim.State.PUBLISHED)
    never = evidence(draft)
    stale = evidence(draft, checked_at=now - timedelta(hours=30))
    fresh = evidence(draft, checked_at=now - timedelta(hours=1))
    pub_stale = evidence(published, checked_at=now - timedelta(hours=25))
    pub_older = evidence(published, checked_at=now - timedelta(hours=50))
    due = services.evidence_due_for_recheck(now=now)
    assert due == [pub_older.pk, pub_stale.pk, never.pk, stale.pk]
    assert fresh.pk not in due
    assert services.evidence_due_for_recheck(now=now, limit=2) == [pub_older.pk, pub_stale.pk]
