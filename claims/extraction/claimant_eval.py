"""Claimant attribution measured on news-dev: named CFS claimants right, the article's own claims
left unattributed.

Each document's whole text (docs/<doc>.txt) goes through the splitter and the claimant rules as
an article would; each labelled unit is matched to the split sentence that holds it. A named
claimant is right when the names agree after folding case, "the" and possessives, or when one
contains the other as whole words (the gold "Meta" for "Meta Platforms"; "Obama" for "Barack
Obama"), or when one is the other's acronym ("CDC" for "Centers for Disease Control").
Run: python -m claims.extraction.claimant_eval [--show-errors]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from . import head_data as hd
from .boilerplate import is_boilerplate
from .claimants import attribute
from .sentences import split_sentences


def _fold(name: str) -> str:
    name = name.casefold().replace("’", "'")
    name = re.sub(r"'s\b", "", name)
    name = re.sub(r"^(?:the|a|an)\s+", "", name.strip())
    name = re.sub(r"[^\w\s]", " ", name)
    return re.sub(r"\s+", " ", name).strip()


def _initials(name: str) -> str:
    """Initials of a name's capitalised words: "Centers for Disease Control" -> "CDC"."""
    return "".join(w[0] for w in re.findall(r"[A-Z][\w’']*", name))


def _is_acronym_of(short: str, full: str) -> bool:
    """ "CDC" for "(Chinese) Centers for Disease Control (and Prevention)", "PG&E" for "Pacific
    Gas & Electric Co.": the acronym's letters are the initials of consecutive capitalised words."""
    words = re.sub(r"^(?:the|The)\s+", "", short.strip()).split()
    if not any(re.fullmatch(r"[A-Z][A-Z&.]+", w) for w in words) or len(words) > 3:
        return False
    if not all(w[:1].isupper() for w in words):
        return False
    letters = "".join(
        re.sub(r"[^A-Z]", "", w) if re.fullmatch(r"[A-Z][A-Z&.]+", w) else w[0] for w in words
    )
    return letters in _initials(full)


def same_claimant(gold: str, predicted: str | None) -> bool:
    if not predicted:
        return False
    g, p = _fold(gold), _fold(predicted)
    if not g or not p:
        return False
    if g == p:
        return True
    if _is_acronym_of(predicted, gold) or _is_acronym_of(gold, predicted):
        return True
    return f" {g} " in f" {p} " or f" {p} " in f" {g} "


def _units_in_doc(text: str, units: list[str]) -> list[int | None]:
    """Index of the split sentence holding each unit (by its start offset), in order."""
    spans = split_sentences(text)
    starts = [s for s, _ in spans]
    out, cursor = [], 0
    for unit in units:
        at = text.find(unit, cursor)
        if at < 0:
            at = text.find(unit)
        if at < 0:
            out.append(None)
            continue
        cursor = at + 1
        idx = max((k for k, s in enumerate(starts) if s <= at), default=None)
        if idx is not None and spans[idx][1] <= at:
            idx = None
        out.append(idx)
    return out


def evaluate(news_dir: Path = hd.NEWS_DEV) -> dict:
    corpus = hd.load_news_dev(news_dir)
    by_doc: dict[str, list[int]] = {}
    for i, g in enumerate(corpus.groups):
        by_doc.setdefault(g, []).append(i)
    named_right = named_total = own_right = own_total = 0
    errors = []
    for doc, rows in by_doc.items():
        text = (news_dir / "docs" / f"{doc}.txt").read_text(encoding="utf-8")
        spans = split_sentences(text)
        sentences = [text[s:e] for s, e in spans]
        skip = [is_boilerplate(t) for t in sentences]
        found = attribute(text, spans, skip=skip)
        where = _units_in_doc(text, [corpus.texts[i] for i in rows])
        for i, k in zip(rows, where, strict=True):
            if not corpus.labels[i]:
                continue
            gold = corpus.claimants[i]
            predicted = found[k].claimant if k is not None else None
            if gold == "article":
                own_total += 1
                ok = predicted is None
                own_right += ok
            else:
                named_total += 1
                ok = same_claimant(gold, predicted)
                named_right += ok
            if not ok:
                errors.append((doc, int(corpus.positions[i]), gold, predicted, corpus.texts[i]))
    return {
        "named_right": named_right,
        "named_total": named_total,
        "named_accuracy": round(named_right / max(named_total, 1), 4),
        "own_unattributed": own_right,
        "own_total": own_total,
        "own_accuracy": round(own_right / max(own_total, 1), 4),
        "errors": errors,
    }


def report(result: dict, *, show_errors: bool = False, log=print) -> None:
    log(
        f"claimants on news-dev CFS sentences: named claimant right "
        f"{result['named_right']}/{result['named_total']} ({result['named_accuracy']:.1%}); "
        f"article's own claims left unattributed {result['own_unattributed']}/"
        f"{result['own_total']} ({result['own_accuracy']:.1%})"
    )
    if show_errors:
        for doc, idx, gold, predicted, text in result["errors"]:
            log(f"  {doc} {idx}: gold {gold!r} got {predicted!r}: {text[:140]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=hd.NEWS_DEV)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args(argv)
    report(evaluate(args.data), show_errors=args.show_errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
