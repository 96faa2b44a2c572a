"""Every report lists each piece of evidence with its stance, link status and archived copy."""

import csv
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from claims.evidence.selectors import link_sentence
from claims.exports import selectors, services
from claims.models import Evidence
from tests.factories import claim_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(editor, checker):
    claim = claim_in("published", editor=editor, checker=checker)
    Evidence.objects.create(
        claim=claim,
        url="https://stats.example/jobs",
        title="Jobs data",
        stance="refutes",
        added_by=checker,
        link_status=Evidence.LinkStatus.GONE,
        http_status=404,
        checked_at=timezone.now(),
        archive_url="https://archive.example/jobs",
        excerpt="5.2%",
        quote_status=Evidence.QuoteStatus.FOUND,
    )
    return claim


def report(format_name: str) -> str | bytes:
    out = io.BytesIO()
    services.write_export(format_name, selectors.export_queryset(user=None, filters={}), out)
    data = out.getvalue()
    return data if format_name == "pdf" else data.decode("utf-8")


def test_csv_lists_stance_status_archive_and_quote(published):
    rows = list(csv.DictReader(io.StringIO(report("csv").lstrip("\ufeff"))))
    details = rows[0]["evidence_details"]
    evidence = Evidence.objects.get(url="https://stats.example/jobs")
    assert (
        f"refutes | {link_sentence(evidence)} | https://stats.example/jobs | "
        "archived: https://archive.example/jobs | quote found"
    ) in details


def test_pdf_lists_stance_status_and_archive(published):
    data = report("pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    text = " ".join(text.split())
    assert "https://archive.example/jobs" in text
    assert "refutes; link gone (404)" in text
