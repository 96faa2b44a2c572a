"""Claims with verdicts, built straight in the database (the exports only read them)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from claims.models import Article, Claim, Evidence, Verdict
from tests.factories import ArticleFactory, ClaimFactory, rating

SCHEMA = "http://schema.org/"


def verdict_claim(
    *,
    author,
    decider,
    state: str = Claim.State.PUBLISHED,
    rating_slug: str | None = "false",
    text: str | None = None,
    claimant: str = "Zamir Kabulov",
    summary: str = "No record supports it.",
    rationale: str = "The ministry's own figures say otherwise.",
    evidence: tuple[str, ...] = ("https://stats.example.org/report-2025",),
    article: Article | None = None,
    published_at: datetime | None = None,
    **claim_fields,
) -> Claim:
    article = article or ArticleFactory(
        url=f"https://news.example.com/story-{Article.objects.count() + 1}",
        title="Officials speak on the border",
        publisher="The Daily Example",
        published_at=timezone.now() - timedelta(days=3),
    )
    fields = {"claimant": claimant, "state": state, "article": article, **claim_fields}
    if text is not None:
        fields["text"] = text
    if state == Claim.State.PUBLISHED:
        fields["published_at"] = published_at or timezone.now()
    claim = ClaimFactory(**fields)
    if rating_slug is not None:
        decided = state in (Claim.State.APPROVED, Claim.State.PUBLISHED)
        Verdict.objects.create(
            claim=claim,
            rating=rating(rating_slug),
            summary=summary,
            rationale=rationale,
            author=author,
            state=Verdict.State.APPROVED if decided else Verdict.State.SUBMITTED,
            decided_by=decider if decided else None,
            decided_at=timezone.now() if decided else None,
            is_current=True,
        )
    for position, url in enumerate(evidence):
        Evidence.objects.create(
            claim=claim, url=url, title=f"Source {position + 1}", publisher="Statistics Office"
        )
    return claim
