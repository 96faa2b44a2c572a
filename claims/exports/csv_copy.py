"""The CSV export written by PostgreSQL itself: `COPY (SELECT ...) TO STDOUT WITH (FORMAT csv,
HEADER)` read through psycopg's copy API, a chunk of claims at a time.

It writes exactly the bytes `formats.csv.write(selectors.iter_rows(queryset))` writes (a test
holds the two equal on hostile data), so the database does the work Python did per row:

- which claims, in which order: the export queryset's ids (its filters, states, ordering, slice
  and DISTINCT untouched) from a server-side cursor, 2,000 at a time; each chunk is one COPY of
  those ids in that order (`unnest ... WITH ORDINALITY`);
- topics, the sources readers see (approved corrections' additions in, their withdrawals out)
  with their link and quote sentences, and the latest correction's date are correlated
  subqueries; the ratings (label, value, best and worst of the scale), the link status labels,
  the month names and the public URL pattern are read in Python once and passed as parameters;
- dates are written as Python's `isoformat()` writes them and as `format_date` says them;
- a text cell starting with a formula character gets the apostrophe `neutralise` adds, and an
  empty text becomes NULL so that COPY leaves it unquoted as Python's csv module does.

PostgreSQL ends a row with LF and the CSV's rows end with CRLF (Excel): COPY sends one row per
protocol message (the protocol promises it), so each message's last byte is the row's end and
is replaced; line breaks inside a cell stay LF, as Python's csv module leaves them.

A chunk's COPY is read whole before its pieces are yielded and `on_row` is called: whatever the
consumer does between pieces (the export job writes its progress) finds the connection free,
and a download closed midway never interrupts a COPY. Memory holds one chunk.

Only on PostgreSQL with the connection in UTC (Django's default with USE_TZ): elsewhere the
Python writer runs (`usable`).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dates import MONTHS

from claims.models import Claim, Evidence, Verdict

from . import selectors
from .formats.csv import BOM, COLUMNS, FORMULA_STARTS

PIECE_SIZE = 65536  # characters: about 64 KB a piece, as the Python writer yields

# Every character Python's str.strip() removes: an excerpt of only these is no quote.
_PY_WHITESPACE = "".join(c for c in map(chr, range(0x110000)) if c.isspace())


def usable() -> bool:
    """COPY writes the same bytes on PostgreSQL with timestamps read in UTC."""
    return selectors.iso_in_database()


def _literal(text: str) -> str:
    """A constant of this module as an SQL string literal (never data: data are parameters)."""
    return "'" + text.replace("'", "''") + "'"


_FORMULA_FIRSTS = ", ".join(_literal(c) for c in FORMULA_STARTS)


def _cell(expr: str) -> str:
    """A text cell: neutralised like formats.csv.neutralise, empty as NULL (unquoted)."""
    return (
        f"CASE WHEN left({expr}, 1) IN ({_FORMULA_FIRSTS}) THEN '''' || {expr} "
        f"ELSE NULLIF({expr}, '') END"
    )


def _iso(expr: str) -> str:
    """datetime.isoformat() of a UTC timestamp (selectors.IsoText)."""
    return selectors.IsoText.template % {"expressions": expr}


def _said_date(expr: str) -> str:
    """evidence.selectors.format_date ('5 March 2026', site time zone), '' for no date.
    Parameters: the time zone, the month names."""
    local = f"({expr} AT TIME ZONE %(tz)s)"
    return (
        f"coalesce(to_char({local}, 'FMDD') || ' ' || "
        f"(%(months)s::text[])[extract(month FROM {local})::int] || ' ' || "
        f"to_char({local}, 'YYYY'), '')"
    )


# The applied corrections of a claim: approved ones, and approved ones since superseded.
_APPLIED = """
    SELECT fix.id FROM claims_verdict fix
    WHERE fix.claim_id = {claim} AND fix.correction_of_id IS NOT NULL
      AND fix.state = ANY(%(fix_states)s)
"""

# One source as formats.csv.evidence_line says it: stance | link sentence | URL
# [| archived: URL] [| quote sentence]. The sentences are evidence.selectors' link_sentence and
# quote_sentence (a test holds the two writers equal).
_EVIDENCE_LINE = f"""
    concat_ws(' | ', e.stance,
        CASE WHEN e.link_status = %(unchecked)s
             THEN coalesce(%(link_labels)s::jsonb ->> e.link_status, e.link_status)
             ELSE coalesce(%(link_labels)s::jsonb ->> e.link_status, e.link_status)
                  || CASE WHEN e.http_status <> 0 THEN ' (' || e.http_status || ')' ELSE '' END
                  || ', checked ' || {_said_date("e.checked_at")}
        END,
        e.url,
        CASE WHEN e.archive_url <> '' THEN 'archived: ' || e.archive_url END,
        CASE WHEN e.excerpt !~ %(not_space)s THEN NULL
             WHEN e.quote_status = %(found)s THEN 'quote found'
             WHEN e.quote_status = %(not_found)s
                 THEN 'quote not found in the source as fetched on '
                      || {_said_date("coalesce(e.quote_checked_at, e.checked_at)")}
             WHEN e.checked_at IS NOT NULL
                 THEN 'quote not checked: no text could be read from the source'
             ELSE 'quote not checked yet'
        END)
"""

# The SQL here is assembled from this module's constants only; data are parameters.
_SOURCES = f"""
    SELECT ARRAY[count(*)::text,
                 string_agg(e.url, E'\\n' ORDER BY e.created_at, e.id),
                 string_agg({_EVIDENCE_LINE}, E'\\n' ORDER BY e.created_at, e.id)]
    FROM claims_evidence e
    WHERE e.claim_id = c.id
      AND (e.correction_id IS NULL OR e.correction_id IN ({_APPLIED.format(claim="c.id")}))
      AND (e.withdrawn_by_id IS NULL
           OR e.withdrawn_by_id NOT IN ({_APPLIED.format(claim="c.id")}))
"""  # noqa: S608

_TOPICS = """
    SELECT string_agg(t.slug, '; ' ORDER BY t.name, t.id)
    FROM claims_claim_topics ct JOIN claims_topic t ON t.id = ct.topic_id
    WHERE ct.claim_id = c.id
"""

_CORRECTED_AT = f"""
    SELECT fix.decided_at FROM claims_verdict fix
    WHERE fix.id IN ({_APPLIED.format(claim="c.id")})
    ORDER BY fix.decided_at DESC, fix.id DESC LIMIT 1
"""  # noqa: S608

# formats.csv.COLUMNS, in order (checked at import below).
_CELLS = {
    "claim_id": "y.x_id",
    "claim": _cell("y.x_text"),
    "claimant": _cell("y.x_claimant"),
    "state": _cell("y.x_state"),
    "rating": _cell("(y.r ->> 0)"),
    "rating_value": "(y.r ->> 1)",
    "best_rating": "(y.r ->> 2)",
    "worst_rating": "(y.r ->> 3)",
    "summary": _cell("y.x_summary"),
    "rationale": _cell("y.x_rationale"),
    "verdict_author": _cell("y.x_author"),
    # ISO dates start with a digit: never a formula.
    "approved_at": _iso("y.x_decided"),
    "published_at": _iso("y.x_published"),
    "corrected_at": _iso("y.corrected_at"),
    "article_title": _cell("y.x_a_title"),
    "article_url": _cell("y.x_a_url"),
    "publisher": _cell("y.x_a_publisher"),
    "article_published_at": _iso("y.x_a_published"),
    "topics": _cell("y.topics"),
    "evidence_count": "y.sources[1]",
    "evidence_urls": _cell("y.sources[2]"),
    "evidence_details": _cell("y.sources[3]"),
    "public_url": _cell("(%(url_start)s || y.x_id || %(url_end)s)"),
}
assert list(_CELLS) == COLUMNS, "the COPY's columns must be formats.csv.COLUMNS"

_COPY = """COPY (
SELECT {cells}
FROM (
    SELECT chosen.n, c.id AS x_id, c.text AS x_text, c.claimant AS x_claimant,
           c.state AS x_state, c.published_at AS x_published, a.title AS x_a_title,
           a.url AS x_a_url, a.publisher AS x_a_publisher, a.published_at AS x_a_published,
           v.summary AS x_summary, v.rationale AS x_rationale, v.decided_at AS x_decided,
           u.{username} AS x_author, %(ratings)s::jsonb -> v.rating_id::text AS r,
           ({topics}) AS topics, ({sources}) AS sources, ({corrected_at}) AS corrected_at
    FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS chosen(id, n)
    JOIN claims_claim c ON c.id = chosen.id
    JOIN claims_article a ON a.id = c.article_id
    LEFT JOIN claims_verdict v ON v.claim_id = c.id AND v.is_current
    LEFT JOIN {users} u ON u.id = v.author_id
    -- The chunk's ids looked up by index (a merge join would walk the index from its start).
    WHERE c.id = ANY(%(ids)s::bigint[])
    OFFSET 0  -- each subquery once per row, not once per use
) AS y
ORDER BY y.n
) TO STDOUT WITH (FORMAT csv{header})"""


def _rating_cells() -> str:
    """Every rating once: id -> [label, value, best, worst] (selectors._rating_facts)."""
    facts = selectors._rating_facts(selectors.RatingScales())
    return json.dumps(
        {
            str(pk): [label, value, best, worst]
            for pk, (label, _slug, value, _scale, best, worst) in facts.items()
        }
    )


def _url_parts() -> tuple[str, str]:
    """The public URL pattern ('https://site/fact-checks/%d/') as what comes before and after
    the id."""
    pattern = selectors._public_url_pattern(settings.SITE_URL)
    start, end = (part.replace("%%", "%") for part in pattern.split("%d"))
    return start, end


def _statement(*, header: bool) -> str:
    user = get_user_model()
    return _COPY.format(
        cells=",\n       ".join(f'{expr} AS "{name}"' for name, expr in _CELLS.items()),
        topics=_TOPICS,
        sources=_SOURCES,
        corrected_at=_CORRECTED_AT,
        users=connection.ops.quote_name(user._meta.db_table),
        username=connection.ops.quote_name(user._meta.get_field(user.USERNAME_FIELD).column),
        header=", HEADER" if header else "",
    )


def _parameters() -> dict:
    """Everything the rows need that is not theirs, read once per export."""
    url_start, url_end = _url_parts()
    return {
        "ratings": _rating_cells(),
        "fix_states": [Verdict.State.APPROVED.value, Verdict.State.SUPERSEDED.value],
        "unchecked": Evidence.LinkStatus.UNCHECKED.value,
        "link_labels": json.dumps({v: str(label) for v, label in Evidence.LinkStatus.choices}),
        "not_space": "[^" + _PY_WHITESPACE + "]",
        "found": Evidence.QuoteStatus.FOUND.value,
        "not_found": Evidence.QuoteStatus.NOT_FOUND.value,
        "tz": timezone.get_current_timezone_name(),
        "months": [str(MONTHS[m]) for m in range(1, 13)],
        "url_start": url_start,
        "url_end": url_end,
    }


def _copy(sql: str, params: dict) -> tuple[str, int]:
    """One chunk's CSV (rows ended with CRLF) and its number of rows, read whole."""
    started = time.monotonic()
    buffer = bytearray()
    rows = 0
    # psycopg's errors as Django's (the export job retries on OperationalError).
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(sql, params) as copy,
    ):
        for row in copy:
            buffer += row[:-1]  # the row without PostgreSQL's LF ...
            buffer += b"\r\n"  # ... ended as Python's csv module ends it
            rows += 1
    if connection.queries_logged:  # query counts and the debug toolbar see the COPY too
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
    return buffer.decode(), rows


def _ids(queryset: QuerySet[Claim], chunk_size: int) -> Iterator[list[int]]:
    """The export's claim ids in its order, a chunk at a time (one server-side cursor)."""
    chunk: list[int] = []
    for pk in queryset.prefetch_related(None).values_list("pk", flat=True).iterator(chunk_size):
        chunk.append(pk)
        if len(chunk) >= chunk_size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write(
    queryset: QuerySet[Claim],
    *,
    on_row: Callable[[], None] | None = None,
    chunk_size: int = selectors.CHUNK_SIZE,
) -> Iterator[str]:
    """The CSV text in pieces of PIECE_SIZE characters, as formats.csv.write yields it."""
    params = _parameters()
    body, header = _statement(header=False), _statement(header=True)
    with _without_jit():
        yield from _chunks(queryset, params, body, header, on_row, chunk_size)


@contextmanager
def _without_jit() -> Iterator[None]:
    """JIT off while the export runs, as it was after. A chunk's COPY (subqueries per row) can
    be estimated above jit_above_cost: compiling it then took 0.3 s for 0.02 s of work."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', false)")
        before = cursor.fetchone()[0]
    try:
        yield
    finally:
        # After a failed COPY inside a transaction the SET is rolled back with it anyway.
        with suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('jit', %s, false)", [before])


def _chunks(queryset, params, body, header, on_row, chunk_size) -> Iterator[str]:
    first = True
    for ids in itertools.chain(_ids(queryset, chunk_size), [None]):
        if ids is None and not first:
            break  # the empty chunk (None) only makes the header of an empty export
        chunk_params = {**params, "ids": selectors.id_array(ids or [])}
        text, rows = _copy(header if first else body, chunk_params)
        if first:
            text, rows, first = BOM + text, rows - 1, False  # the header is no claim
        for start in range(0, len(text), PIECE_SIZE):
            yield text[start : start + PIECE_SIZE]
        if on_row:
            for _ in range(rows):
                on_row()
