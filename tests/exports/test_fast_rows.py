"""The export's rows come from plain tuples (selectors.iter_rows) and the public pages' rows from
model instances (selectors.claim_row): both must say exactly the same about every claim."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from claims import corrections
from claims.exports import selectors, services
from claims.models import Claim, Evidence, Topic
from tests.exports.data import verdict_claim
from tests.factories import ArticleFactory, rating

pytestmark = pytest.mark.django_db


def test_streamed_rows_equal_the_model_rows(editor, editor2, checker):
    economy = Topic.objects.get(slug="economy")
    original = verdict_claim(
        author=checker,
        decider=editor,
        article=ArticleFactory(url="https://first.example.net/a", title="Where it started"),
        claimant="Russian foreign ministry",
    )
    repeat = verdict_claim(
        author=checker, decider=editor, duplicate_of=original, rating_slug="misleading"
    )
    repeat.topics.add(economy, *Topic.objects.exclude(pk=economy.pk)[:1])
    corrected = verdict_claim(author=checker, decider=editor, evidence=())
    corrections.correction_propose(
        claim_id=corrected.pk,
        actor=editor,
        rating_id=rating("half-true").pk,
        summary="Partly right after all.",
        rationale="Revised figures.",
        note="Revised figures were published.",
    )
    corrections.correction_approve(claim_id=corrected.pk, actor=editor2)
    unrated = verdict_claim(
        author=checker, decider=editor, state=Claim.State.APPROVED, rating_slug=None
    )
    Evidence.objects.filter(claim=unrated).update(
        link_status="gone", http_status=404, excerpt="a quote", quote_status="not_found"
    )
    submitted = verdict_claim(author=checker, decider=editor, state=Claim.State.SUBMITTED)
    # Extraction's stored claimant type wins over the name rule; whole seconds print no fraction.
    typed = verdict_claim(
        author=checker,
        decider=editor,
        claimant="Zamir Kabulov",
        claimant_type="Organization",
        published_at=datetime(2026, 3, 5, 23, 30, tzinfo=UTC),
    )
    queryset = selectors.export_queryset(
        user=None, filters={"state": ["submitted", "approved", "published"]}
    )
    fast = list(selectors.iter_rows(queryset, chunk_size=2))
    scales = selectors.RatingScales()
    slow = [
        selectors.claim_row(c, scales)
        for c in selectors.with_export_joins(queryset).iterator(chunk_size=10)
    ]
    assert [r["id"] for r in fast] == sorted(
        c.pk for c in (original, repeat, corrected, unrated, submitted, typed)
    )
    assert fast == slow
    by_id = {r["id"]: r for r in fast}
    assert by_id[repeat.pk]["first_appearance"]["url"] == "https://first.example.net/a"
    assert by_id[corrected.pk]["date_modified"] and by_id[corrected.pk]["corrections"]
    assert by_id[unrated.pk]["evidence"][0]["link"].startswith("Gone (404)")
    assert len(by_id[repeat.pk]["topics"]) == 2
    assert by_id[typed.pk]["claimant_type"] == "Organization"
    assert by_id[typed.pk]["published_at"] == "2026-03-05T23:30:00+00:00"
    assert by_id[original.pk]["claimant_type"] == "Organization"  # "ministry": the name rule
    assert by_id[repeat.pk]["claimant_type"] == "Person"


def _rows_from_models(queryset, *, chunk_size=selectors.CHUNK_SIZE, scales=None, **_):
    """Today's reference rows: model instances through claim_row (the public pages' path)."""
    scales = scales or selectors.RatingScales()
    for claim in selectors.with_export_joins(queryset).iterator(chunk_size=10):
        yield selectors.claim_row(claim, scales)


@pytest.mark.parametrize("format_name", ["claimreview", "json", "jsonl", "csv"])
@pytest.mark.parametrize(
    "filters",
    [{"state": ["submitted", "approved", "published", "open"]}, {"ordering": "-created"}],
)
def test_every_text_export_equals_the_one_written_from_model_rows(
    newsroom, format_name, filters, monkeypatch
):
    """The whole export (ClaimReview, JSON, JSON Lines, CSV: on PostgreSQL the CSV is COPY's),
    hostile data included, is the text the writers make from claim_row's rows."""
    frozen = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: frozen)  # the JSON's generated_at
    queryset = selectors.export_queryset(user=None, filters=filters)
    streamed = "".join(services.text_chunks(format_name, queryset, filters=filters))
    monkeypatch.setattr(selectors, "iter_rows", _rows_from_models)
    monkeypatch.setattr(services.csv_copy, "usable", lambda: False)
    expected = "".join(services.text_chunks(format_name, queryset, filters=filters))
    assert streamed == expected
    assert len(streamed) > 2000  # the newsroom's claims are in it
