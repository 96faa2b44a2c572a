"""Export ClaimReview, import it into an empty database: the same claims, claimants, ratings,
URLs. And the export_verdicts command with its filters."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from claims.exports import selectors
from claims.models import Article, Claim, PastFactCheck, Topic
from tests.exports.data import verdict_claim
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_claimreview_round_trip(editor, checker, tmp_path, settings):
    settings.FACTCHECK_ORGANISATION = {"name": "Round Trip Desk", "url": "https://rt.example/"}
    cases = [
        ("Exports rose 12% in 2025.", "Zamir Kabulov", "mostly-true"),
        ("Le chômage a baissé de 3 %.", "Ministère du Travail", "false"),
        ("Безработица снизилась.", "Министерство финансов", "misleading"),
        ("Turnout was a record.", "", "unverifiable"),
    ]
    originals = []
    for text, claimant, slug in cases:
        claim = verdict_claim(
            author=checker, decider=editor, text=text, claimant=claimant, rating_slug=slug
        )
        originals.append(
            {
                "claim_reviewed": claim.text,
                "claimant": claim.claimant,
                "rating": slug,
                "url": selectors.public_url(claim.pk),
                "appearance_url": claim.article.url,
                "publisher": "Round Trip Desk",
                "date_published": claim.published_at,
                "claim_date": claim.article.published_at,
            }
        )
    path = tmp_path / "claimreview.jsonld"
    call_command("export_verdicts", "--format", "claimreview", "--output", str(path))

    Claim.objects.all().delete()  # an empty database: only the rating scale is configured
    Article.objects.all().delete()
    assert not PastFactCheck.objects.exists()
    call_command("import_claimreview", str(path))

    back = [
        {
            "claim_reviewed": p.claim_reviewed,
            "claimant": p.claimant,
            "rating": p.rating.slug if p.rating else None,
            "url": p.url,
            "appearance_url": p.appearance_url,
            "publisher": p.publisher,
            "date_published": p.date_published,
            "claim_date": p.claim_date,
        }
        for p in PastFactCheck.objects.select_related("rating").order_by("url")
    ]
    assert back == sorted(originals, key=lambda o: o["url"])
    assert {p.rating_text for p in PastFactCheck.objects.all()} == {
        "Mostly true",
        "False",
        "Misleading",
        "Unverifiable",
    }


def test_export_verdicts_filters(editor, checker, tmp_path):
    economy = Topic.objects.get(slug="economy")
    press = ArticleFactory(publisher="Press TV", url="https://press.example/1")
    a = verdict_claim(author=checker, decider=editor, rating_slug="false", article=press)
    a.topics.add(economy)
    b = verdict_claim(author=checker, decider=editor, rating_slug="true")
    c = verdict_claim(author=checker, decider=editor, state=Claim.State.SUBMITTED)

    def ids(*args):
        out = tmp_path / "out.csv"
        call_command("export_verdicts", "--format", "csv", "--output", str(out), *args)
        rows = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))
        return sorted(int(r["claim_id"]) for r in rows)

    assert ids() == sorted([a.pk, b.pk])  # approved and published by default
    assert ids("--state", "submitted,published") == sorted([b.pk, c.pk, a.pk])
    assert ids("--rating", "false") == [a.pk]
    assert ids("--topic", "economy") == [a.pk]
    assert ids("--publisher", "press tv") == [a.pk]
    assert ids("--article", str(b.article_id)) == [b.pk]
    assert ids("--since", "2000-01-01", "--until", "2999-12-31") == sorted([a.pk, b.pk])
    assert ids("--since", "2999-01-01") == []


@pytest.mark.parametrize("format_name", ["json", "jsonl", "claimreview", "pdf"])
def test_export_verdicts_every_format(editor, checker, tmp_path, format_name):
    claim = verdict_claim(author=checker, decider=editor)
    out = tmp_path / f"out.{format_name}"
    call_command("export_verdicts", "--format", format_name, "--output", str(out))
    data = out.read_bytes()
    if format_name == "pdf":
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        assert claim.text in text
    elif format_name == "jsonl":
        assert json.loads(data.splitlines()[0])["id"] == claim.pk
    else:
        assert claim.text in json.dumps(json.loads(data), ensure_ascii=False)


def test_export_verdicts_explains_bad_filters(tmp_path):
    with pytest.raises(CommandError, match="Some filters are not valid"):
        call_command(
            "export_verdicts", "--format", "csv", "--output", str(tmp_path / "x"), "--since", "soon"
        )
    with pytest.raises(CommandError, match="Could not write"):
        call_command(
            "export_verdicts", "--format", "csv", "--output", str(tmp_path / "no" / "such" / "x")
        )
