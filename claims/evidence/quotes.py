"""Is a quoted excerpt really in its source? Matching that forgives how text gets copied.

People copy quotes from browsers, PDFs and chat apps: curly quotes become straight ones, dashes
change, line breaks and non-breaking spaces come and go, and "..." marks a cut. None of that
should make a real quote look invented, and none of it may make an invented one look real.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTE_CHARS = "\"'`´‘’‚‛“”„‟«»‹›′″〝〞＂＇"
_DASH_CHARS = "‐‑‒–—―−﹘﹣－"
_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_TABLE = (
    {ord(c): '"' for c in _QUOTE_CHARS}
    | {ord(c): "-" for c in _DASH_CHARS}
    | {ord(c): None for c in _INVISIBLE_CHARS}
)
# "...", "…" (NFKC makes it "..."), "[...]" and "(...)" mark a cut in a quote.
_ELLIPSIS = re.compile(r"\s*[\[(]?\s*\.\s*\.\s*\.\s*[\])]?\s*")
# What may surround a quote without being part of it.
_EDGE = ' "-.,;:'


def normalise(text: str) -> str:
    """Case, whitespace, quote marks and dashes folded, so that copies compare equal."""
    text = unicodedata.normalize("NFKC", text or "").translate(_TABLE)
    text = re.sub(r"\s+", " ", text).casefold()
    text = re.sub(r"-+", "-", text)
    # "2020 - 2021", "2020-2021" and "2020 — 2021" are the same text.
    return re.sub(r" ?- ?", "-", text).strip()


def excerpt_parts(excerpt: str) -> list[str]:
    """The pieces of an excerpt between its "..." cuts, normalised, without empty pieces."""
    text = unicodedata.normalize("NFKC", excerpt or "")
    pieces = _ELLIPSIS.split(text)
    parts = [normalise(piece).strip(_EDGE) for piece in pieces]
    return [part for part in parts if part]


def quote_in_text(excerpt: str, text: str) -> bool:
    """True when every piece of the excerpt is in the text, in order."""
    parts = excerpt_parts(excerpt)
    if not parts:
        return False
    haystack = normalise(text)
    position = 0
    for part in parts:
        found = haystack.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True
