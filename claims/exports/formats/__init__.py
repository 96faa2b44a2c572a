"""Export formats. Each module writes rows (see claims.exports.selectors.claim_row) as one format.

Text formats are generators of str chunks, so a response or a file takes them piece by piece and
memory stays flat; the PDF is built into a file object.
"""

from __future__ import annotations

from dataclasses import dataclass

from claims.models import Export


@dataclass(frozen=True)
class Format:
    name: str
    content_type: str
    extension: str
    binary: bool = False


FORMATS: dict[str, Format] = {
    Export.Format.CSV: Format("csv", "text/csv; charset=utf-8", "csv"),
    Export.Format.JSON: Format("json", "application/json", "json"),
    Export.Format.JSONL: Format("jsonl", "application/x-ndjson", "jsonl"),
    Export.Format.CLAIMREVIEW: Format("claimreview", "application/ld+json", "jsonld"),
    Export.Format.PDF: Format("pdf", "application/pdf", "pdf", binary=True),
}


def get_format(name: str) -> Format:
    from claims.errors import InvalidInput

    try:
        return FORMATS[name]
    except KeyError:
        choices = ", ".join(FORMATS)
        raise InvalidInput(
            f"Unknown export format {name!r}: choose one of {choices}.", code="invalid_format"
        ) from None
