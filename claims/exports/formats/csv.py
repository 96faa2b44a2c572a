"""CSV for Excel and LibreOffice: UTF-8 with a byte-order mark, one row per claim.

Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return before them) as a
formula; every text cell that starts so gets a leading apostrophe, which both show as text
(OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_FIRSTS = frozenset(FORMULA_STARTS)
COLUMNS = [
    "claim_id",
    "claim",
    "claimant",
    "state",
    "rating",
    "rating_value",
    "best_rating",
    "worst_rating",
    "summary",
    "rationale",
    "verdict_author",
    "approved_at",
    "published_at",
    "corrected_at",
    "article_title",
    "article_url",
    "publisher",
    "article_published_at",
    "topics",
    "evidence_count",
    "evidence_urls",
    "evidence_details",
    "public_url",
]


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def evidence_line(evidence: dict) -> str:
    """One source in words: stance, link status, address, archived copy, quote check."""
    parts = [evidence["stance"], evidence["link"], evidence["url"]]
    if evidence["archive_url"]:
        parts.append(f"archived: {evidence['archive_url']}")
    if evidence["quote"]:
        parts.append(evidence["quote"])
    return " | ".join(parts)


def row_cells(row: dict) -> list:
    article = row["article"]
    cells = [
        row["id"],
        row["claim"],
        row["claimant"],
        row["state"],
        row["rating"],
        row["rating_value"],
        row["best_rating"],
        row["worst_rating"],
        row["summary"],
        row["rationale"],
        row["verdict_author"],
        row["approved_at"] or "",
        row["published_at"] or "",
        row["date_modified"] or "",
        article["title"],
        article["url"],
        article["publisher"],
        article["published_at"] or "",
        "; ".join(row["topics"]),
        len(row["evidence"]),
        "\n".join(e["url"] for e in row["evidence"]),
        "\n".join(evidence_line(e) for e in row["evidence"]),
        row["public_url"],
    ]
    return [
        "" if c is None else ("'" + c if c.__class__ is str and c[:1] in _FIRSTS else c)
        for c in cells
    ]


def write(rows: Iterable[dict], *, on_row=None) -> Iterator[str]:
    """The CSV text in pieces: the BOM and header first, then about 64 KB at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for row in rows:
        writer.writerow(row_cells(row))
        if on_row:
            on_row()
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()
