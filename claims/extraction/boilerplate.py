"""Page furniture that is never a claim: captions, bylines, section labels, share lines."""

from __future__ import annotations

import re

_PATTERNS = [
    # Photo captions and credits.
    r"\((?:[A-Z][\w.&/ -]{0,30} )?(?:photo|file photo|photograph|image|video|picture)s?\)",
    r"\bphoto(?:graph)? (?:shows|taken|by|credit)\b",
    r"^(?:photo|image|file photo|picture|video)\s*[:|/-]",
    r"\b(?:Getty Images|Reuters/|AFP/|AP Photo|via Getty)\b",
    # A caption that walks the reader round a picture: "Clockwise from top: ...", "Above, the
    # skull of a whale; right, ...".
    r"^[-–•*]?\s*(?:clockwise from (?:the )?(?:top|left|right|bottom)\b|"
    r"(?:above|below|inset|(?:top |bottom )?(?:left|right)),\s)",
    # Bylines and desk notes.
    r"^by\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3}\s*(?:[,|]|$)",
    r"^(?:reporting|editing|writing|additional reporting) by\b",
    r"^(?:posted|published|updated|last updated)\s*(?:on|at|:)",
    # Site furniture.
    r"can also be accessed at the following alternate address",
    r"\b(?:share (?:this|on)|follow us|subscribe (?:to|now)|sign up (?:for|to)|click here|"
    r"read more|all rights reserved|newsletter|download our app|related articles?)\b",
    r"^(?:advertisement|copyright|©)",
    r"^[\w .'-]{1,40}(?:\s+/\s+[\w .'-]{1,40})+$",  # section labels: "News / Afghanistan"
]
_BOILERPLATE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)
_CAPTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS[:5]), re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$|[\"”]$")

MIN_WORDS = 4


def is_boilerplate(sentence: str, *, paragraph: str | None = None) -> bool:
    """True for captions, bylines, section labels, share lines and very short fragments.

    `paragraph` is the whole line the sentence came from: a line that does not end like a sentence
    (a headline, a caption under a picture, a list of links) and is short is furniture too.
    """
    text = sentence.strip()
    if _BOILERPLATE.search(text):
        return True
    words = _WORD.findall(text)
    if len(words) < MIN_WORDS:
        return True
    para = (paragraph if paragraph is not None else text).strip()
    if para != text and _CAPTION.search(para):
        return True  # every sentence of a photo caption
    return not _TERMINAL.search(para) and len(_WORD.findall(para)) < 25
