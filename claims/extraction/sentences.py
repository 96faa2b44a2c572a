"""Sentence splitting with character offsets into the text passed in.

spaCy's rule-based sentencizer (no model download) runs on each paragraph separately, so
newline-separated paragraphs never join into one sentence. Its output is then repaired for
abbreviations that it splits after ("Col.", "Lt.", "No.") and for sentences that it started inside
a quotation's closing punctuation.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Abbreviations that are almost never the end of a sentence: a split right after one is undone.
_NEVER_FINAL = {
    "adm",
    "approx",
    "brig",
    "capt",
    "cmdr",
    "col",
    "cpl",
    "dr",
    "fig",
    "gen",
    "gov",
    "hon",
    "lt",
    "maj",
    "messrs",
    "mr",
    "mrs",
    "ms",
    "mt",
    "no",
    "nos",
    "pres",
    "prof",
    "rep",
    "rev",
    "sen",
    "sgt",
    "sr",
    "st",
    "supt",
    "vs",
    "etc.,",
}
# Abbreviations that can end a sentence ("in the U.S."): merged only when the next piece starts
# in lower case or with a digit.
_MAYBE_FINAL = re.compile(
    r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|"
    r"Nov|Dec|Inc|Corp|Ltd|Co|Jr|a\.m|p\.m)\.)$"
)
_LAST_WORD = re.compile(r"([A-Za-z]+)\.$")
_PARAGRAPH = re.compile(r"[^\n]+")
_OPENERS = "([{“‘"


@lru_cache(maxsize=1)
def _nlp():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def _should_merge(prev: str, nxt: str) -> bool:
    prev = prev.rstrip()
    if not prev or not nxt:
        return False
    m = _LAST_WORD.search(prev)
    if m and m.group(1).lower() in _NEVER_FINAL:
        return True
    first = nxt[0]
    if _MAYBE_FINAL.search(prev) and (first.islower() or first.isdigit()):
        return True
    # A piece made only of closing punctuation belongs to the sentence before it.
    return all(not ch.isalnum() for ch in nxt)


def _split_paragraph(nlp, para: str, base: int) -> list[tuple[int, int]]:
    doc = nlp(para)
    spans: list[list[int]] = []
    for sent in doc.sents:
        start, end = sent.start_char, sent.end_char
        # Trim surrounding whitespace while keeping offsets exact.
        while start < end and para[start].isspace():
            start += 1
        while end > start and para[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        # The sentencizer leaves an opening bracket or quote at the end of the sentence before.
        if spans and start > 0 and para[spans[-1][1] - 1] in _OPENERS:
            start = spans[-1][1] - 1
            spans[-1][1] -= 1
            while spans[-1][1] > spans[-1][0] and para[spans[-1][1] - 1].isspace():
                spans[-1][1] -= 1
        if spans and _should_merge(para[spans[-1][0] : spans[-1][1]], para[start:end]):
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [(base + s, base + e) for s, e in spans]


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) character offsets of each sentence, so that text[start:end] is it."""
    nlp = _nlp()
    out: list[tuple[int, int]] = []
    for m in _PARAGRAPH.finditer(text):
        para = m.group(0)
        if para.strip():
            out.extend(_split_paragraph(nlp, para, m.start()))
    return out
