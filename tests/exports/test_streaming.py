"""Exports walk the rows in chunks: the same few queries for 3 claims or 60."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.exports import selectors, services
from claims.models import Topic
from tests.exports.data import verdict_claim

pytestmark = pytest.mark.django_db

# The claims (one cursor), then per chunk: topics, current verdicts, corrections, evidence;
# plus the rating scale's bounds once.
QUERIES = 6


def make(n, editor, checker):
    topic = Topic.objects.get(slug="economy")
    for i in range(n):
        claim = verdict_claim(
            author=checker,
            decider=editor,
            rating_slug="false" if i % 2 else "misleading",
            evidence=(f"https://a.example.org/{i}", f"https://b.example.org/{i}"),
        )
        claim.topics.add(topic)


def run(format_name):
    queryset = selectors.export_queryset(user=None, filters={})
    return "".join(services.text_chunks(format_name, queryset))


@pytest.mark.parametrize("format_name", ["csv", "json", "jsonl", "claimreview"])
def test_query_count_does_not_grow_with_rows(
    format_name, editor, checker, django_assert_max_num_queries
):
    make(3, editor, checker)
    with CaptureQueriesContext(connection) as small:
        run(format_name)
    make(57, editor, checker)
    with django_assert_max_num_queries(QUERIES):
        text = run(format_name)
    assert len(small.captured_queries) <= QUERIES
    # Each claim's evidence URL once (CSV lists it twice: the URL column and the details column).
    assert text.count("https://b.example.org/") == (120 if format_name == "csv" else 60)


def test_rows_are_fetched_a_chunk_at_a_time(editor, checker):
    make(12, editor, checker)
    queryset = selectors.export_queryset(user=None, filters={})
    with CaptureQueriesContext(connection) as ctx:
        rows = list(selectors.iter_rows(queryset, chunk_size=5))
    assert len(rows) == 12
    # 3 chunks: each runs its own prefetches, never one query per row.
    prefetches = [q for q in ctx.captured_queries if "claims_evidence" in q["sql"]]
    assert len(prefetches) == 3
    assert all(len(r["evidence"]) == 2 and r["topics"] == ["economy"] for r in rows)
