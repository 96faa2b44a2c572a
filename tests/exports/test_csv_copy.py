"""On PostgreSQL the CSV export is written by the database (claims/exports/csv_copy.py): it must
be byte for byte the file the Python writer makes (formats.csv over selectors.iter_rows), on
hostile data, under every filter, state choice, ordering and slice; and it must stream."""

import csv
import io
import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from claims.exports import csv_copy, selectors, services
from claims.exports.formats import csv as csv_format
from claims.models import Claim, Rating
from tests.exports.data import verdict_claim

pytestmark = [
    pytest.mark.django_db,
    # Shown as skipped, never silent: CI runs these on PostgreSQL (DATABASE_URL).
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="COPY is PostgreSQL's; SQLite writes CSV in Python",
    ),
]


def python_csv(queryset) -> str:
    return "".join(csv_format.write(selectors.iter_rows(queryset, chunk_size=3)))


def database_csv(queryset) -> str:
    return "".join(csv_copy.write(queryset))


def assert_same(queryset) -> str:
    expected = python_csv(queryset)
    written = database_csv(queryset)
    assert written.splitlines(keepends=True) == expected.splitlines(keepends=True)
    assert written.encode() == expected.encode()
    return written


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"state": ["submitted", "approved", "published", "open"]},
        {"state": ["published"], "ordering": "-created"},
        {"ordering": "-id"},
        {"topic": ["economy"]},  # a join that makes the query DISTINCT
        {"topic": ["economy"], "ordering": "-created", "state": ["approved", "published"]},
        {"rating": ["false", "misleading"]},
        {"claimant": "sum"},
        {"q": "comma"},
    ],
)
def test_copy_writes_the_python_writers_bytes(newsroom, filters):
    queryset = selectors.export_queryset(user=None, filters=filters)
    written = assert_same(queryset)
    rows = list(csv.reader(io.StringIO(written.removeprefix(csv_format.BOM), newline="")))
    assert rows[0] == csv_format.COLUMNS
    assert len(rows) - 1 == queryset.count()


def test_copy_and_python_agree_on_what_matters(newsroom):
    """Not only equal: the file says the right things (a broken pair would agree on nonsense)."""
    queryset = selectors.export_queryset(user=None, filters={"state": ["approved", "published"]})
    written = assert_same(queryset)
    assert written.startswith(csv_format.BOM + "claim_id,claim,claimant,")
    assert written.count("\r\n") >= queryset.count() + 1
    rows = {
        int(r["claim_id"]): r
        for r in csv.DictReader(io.StringIO(written.removeprefix(csv_format.BOM), newline=""))
    }
    for row in rows.values():
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")), cell
    corrected = rows[newsroom[1].pk]
    assert corrected["corrected_at"]
    assert "https://added.example.org/x" in corrected["evidence_urls"].split("\n")
    assert corrected["summary"] == "Partly right after all."
    pending = rows[newsroom[3].pk]
    assert "https://pending.example.org/x" not in pending["evidence_urls"]
    details = "\n".join(r["evidence_details"] for r in rows.values())
    assert "Gone (404), checked 5 March 2026 | https://src.example.org/2 | archived: " in details
    assert "quote not found in the source as fetched on 14 April 2026" in details
    unrated = rows[newsroom[4].pk]
    assert unrated["rating"] == "" and unrated["rating_value"] == ""
    assert rows[newsroom[2].pk]["rating_value"] == str(Rating.objects.get(slug="true").value)


def test_copy_follows_the_time_zone_and_language(newsroom):
    queryset = selectors.export_queryset(user=None, filters={})
    with timezone.override("Asia/Kabul"), translation.override("de"):
        written = assert_same(queryset)
    assert "6 März 2026" in written  # 22:45 UTC is the next day in Kabul, said in German


def test_a_sliced_export_and_an_empty_one(newsroom):
    queryset = selectors.export_queryset(user=None, filters={"ordering": "-id"})
    assert_same(queryset[:3])
    empty = selectors.export_queryset(user=None, filters={"claimant": "nobody by this name"})
    assert assert_same(empty) == csv_format.BOM + ",".join(csv_format.COLUMNS) + "\r\n"


def test_the_export_uses_copy_on_postgresql_with_the_rows_counted(newsroom):
    queryset = selectors.export_queryset(user=None, filters={})
    counted = []
    with CaptureQueriesContext(connection) as ctx:
        text = "".join(services.text_chunks("csv", queryset, on_row=lambda: counted.append(1)))
    assert text == python_csv(queryset)
    assert len(counted) == queryset.count()
    assert [q for q in ctx.captured_queries if q["sql"].startswith("COPY (")]
    assert not [
        q for q in ctx.captured_queries if "claims_evidence" in q["sql"] and "COPY" not in q["sql"]
    ]


def _streamed(queryset, chunk_size):
    """(characters written, piece sizes, COPY statements, tracemalloc peak) of one export."""
    pieces = csv_copy.write(queryset, chunk_size=chunk_size)
    total, sizes = 0, []
    with CaptureQueriesContext(connection) as ctx:
        tracemalloc.start()
        try:
            for piece in pieces:
                sizes.append(len(piece))
                total += len(piece)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    copies = [q for q in ctx.captured_queries if q["sql"].startswith("COPY (")]
    return total, sizes, len(copies), peak


def test_copy_memory_stays_flat_as_the_export_grows(editor, checker, monkeypatch):
    """Claims of 2 KB read in chunks of 10, pieces of PIECE_SIZE: doubling the export's size
    leaves Python's peak where it was (one chunk at a time, never the file)."""
    monkeypatch.setattr(csv_copy, "PIECE_SIZE", 4096)
    selectors.public_url(1)  # the URLconf, loaded in a running server before any export
    for i in range(80):
        verdict_claim(author=checker, decider=editor, rationale=f"{i} " + "x" * 2000)
    queryset = selectors.export_queryset(user=None, filters={})
    small = _streamed(queryset[:40], chunk_size=10)
    large = _streamed(queryset, chunk_size=10)
    chunk = large[0] / 8
    assert (small[2], large[2]) == (4, 8)  # one COPY per chunk
    assert large[0] > 1.9 * small[0] > 150_000
    assert max(large[1]) == 4096
    assert large[3] < small[3] + chunk, (small, large)


def test_a_download_stopped_midway_leaves_the_connection_usable(editor, checker, monkeypatch):
    monkeypatch.setattr(csv_copy, "PIECE_SIZE", 1024)
    for i in range(20):
        verdict_claim(author=checker, decider=editor, rationale=f"{i} " + "x" * 1000)
    pieces = csv_copy.write(selectors.export_queryset(user=None, filters={}))
    next(pieces)
    pieces.close()  # the client went away: no COPY is left open, the JIT setting is back
    assert Claim.objects.count() == 20
