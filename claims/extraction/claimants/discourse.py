"""Claimants over a whole article: sentence by sentence, then carried over quotations, runs of
figures from one source and pull quotes."""

from __future__ import annotations

import bisect
import re

from .. import lexicon as lex
from .patterns import (
    ACADEMIC,
    ACCORDING,
    AFFILIATED,
    BODY_OPENING,
    CONTINUES,
    FINDING_LIKE,
    FIRST_PERSON,
    FOUND_THAT,
    NAME_SEQ,
    NOT_AUTHOR,
    ORG,
    RESEARCH_CONTEXT,
    RESEARCHERS_FIND,
    SAID_AT_END,
    SOURCE_AT_END,
    SOURCE_METHODS,
    SPEAKER_METHODS,
    TWEET_SIGNATURE,
    TWITTER_MENTION,
)
from .register import (
    NONE,
    PENDING_RESEARCH,
    Attribution,
    PersonRegister,
    claimant_kind,
    clean_name,
)
from .speech import (
    attribute_one,
    mask_quotes,
)


def _carry_findings(text, spans, results, skip) -> None:
    """A run of figures reported from one source, in one paragraph, keeps that source: the
    sentences after "X found that ..." and before "..., according to X" at the paragraph's end."""
    para, count, at = [], 0, 0
    for start, _ in spans:  # paragraph number of each sentence, in one pass over the text
        count += text.count("\n", at, max(start, at))
        at = max(start, at)
        para.append(count)
    n = len(spans)

    def open_slot(i: int) -> bool:
        sentence = text[spans[i][0] : spans[i][1]].strip()
        return not results[i].claimant and not (skip and skip[i]) and FINDING_LIKE.search(sentence)

    for i in range(1, n):
        prev = results[i - 1]
        is_source = prev.method in SOURCE_METHODS or (
            prev.claimant and FOUND_THAT.search(text[spans[i - 1][0] : spans[i - 1][1]])
        )
        sentence = text[spans[i][0] : spans[i][1]].lstrip()
        joined = para[i] == para[i - 1] or CONTINUES.match(sentence)  # "In turn, ..."
        if joined and is_source and open_slot(i):
            results[i] = Attribution(prev.claimant, "finding_continued", prev.kind)
    for j in range(n - 1, 0, -1):
        if results[j].method not in {"according_to", "report"}:
            continue
        if not SOURCE_AT_END.search(text[spans[j][0] : spans[j][1]]):
            continue
        if j + 1 < n and para[j + 1] == para[j]:
            continue  # the source closes the paragraph
        i = j - 1
        while i >= 0 and para[i] == para[j] and open_slot(i):
            results[i] = Attribution(results[j].claimant, "finding_continued", results[j].kind)
            i -= 1


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """(open, close) offsets of quotations; curly quotes nest-free, straight quotes paired."""
    spans = []
    open_at = None
    for i, ch in enumerate(text):
        if ch == "“" or (ch == '"' and open_at is None):
            open_at = i
        elif (ch == "”" or ch == '"') and open_at is not None:
            spans.append((open_at, i + 1))
            open_at = None
        elif ch == "\n" and open_at is not None:
            # A quote left open at a paragraph's end: news style reopens it in the next one.
            spans.append((open_at, i))
            open_at = None
    if open_at is not None:
        spans.append((open_at, len(text)))
    return spans


def _overlaps(quotes, quote_starts, start: int, end: int) -> bool:
    """Whether any quotation (sorted, non-overlapping) overlaps [start, end)."""
    i = bisect.bisect_left(quote_starts, end) - 1
    return i >= 0 and quotes[i][1] > start


def _pair_subject(masked: str, register: PersonRegister) -> str | None:
    """The person who opens a plural subject ("Republican Gov. Eric Holcomb and leaders of the
    Legislature have ..."), whom a later "they said" means."""
    names = register.scan(masked)
    if not names:
        return None
    name = names[0][1]
    at = masked.find(name)
    opens = at >= 0 and len(masked[:at].split()) <= 3
    if not opens or not re.match(r"\s+and\s", masked[at + len(name) :]):
        return None
    return register.add(name)


def attribute(
    text: str, spans: list[tuple[int, int]], skip: list[bool] | None = None
) -> list[Attribution]:
    """Claimant for each sentence span of `text`, in article order.

    `skip` marks sentences (boilerplate) that only feed the register of names, and are given no
    claimant themselves.
    """
    register = PersonRegister()
    register.common_words = set(re.findall(r"\b[a-z]+\b", text))
    register.text = text
    quotes = _quote_spans(text)
    in_quote = [False] * len(text)
    for qs, qe in quotes:
        for i in range(qs, qe):
            in_quote[i] = True
    quote_starts = [q[0] for q in quotes]
    span_starts = [sp[0] for sp in spans]
    span_ends = [sp[1] for sp in spans]
    results: list[Attribution] = []
    for idx, (start, end) in enumerate(spans):
        sentence = text[start:end]
        if skip and skip[idx]:
            for _, name in register.scan(sentence):
                register.add(name)
            results.append(NONE)
            continue
        found = attribute_one(sentence, in_quote[start:end], register)
        has_quote = _overlaps(quotes, quote_starts, start, end)
        if found.claimant and has_quote and found.method == "reported_speech":
            found = Attribution(found.claimant, "quotation", found.kind)
        if found.claimant:
            found = Attribution(found.claimant, found.method, claimant_kind(found, register))
            if found.method != "research":
                register.last_speaker = found
        results.append(found)
        masked = mask_quotes(sentence, in_quote[start:end])
        body = BODY_OPENING.match(masked)
        is_body = body and re.search(rf"\s(?:and|of|for|&)\s|{lex.ORG_WORDS}", body.group(1))
        register.body_before = body.group(1) if is_body and not found.claimant else None
        if not found.claimant and (pair := _pair_subject(masked, register)):
            register.last_speaker = Attribution(pair, "coreference", "Person")  # "they" later
        # Names anywhere in the sentence (outside quotations) become candidates for later
        # "he", "the official"; the claimant stays the most recent when it is named last.
        names = register.scan(masked)
        for _, name in names:
            register.add(name)
        if RESEARCH_CONTEXT.search(masked):
            # The study's authors: names here count even after "by" ("led by Michael Shadlen").
            authors = [
                clean_name(m.group(0))
                for m in NAME_SEQ.finditer(masked)
                if not NOT_AUTHOR.search(m.group(0))
                and masked[: m.start()].split()[-1:] not in [[p] for p in lex.PREPOSITIONS - {"by"}]
            ]
            authors = [a for a in authors if a and len(a.split()) >= 2]
            firm = AFFILIATED.search(masked)
            if firm and not ACADEMIC.search(firm.group(1)) and not register.research_firm:
                register.research_firm = firm.group(1)
            research_orgs = [m.group(1).strip() for m in ORG.finditer(masked)]
            if research_orgs and not register.research_org:
                register.research_org = research_orgs[0]
            if authors:
                register.research_lead = register.add(authors[0])
            elif names:
                register.research_lead = register.resolve(names[0][1])
        register.organisations.extend(m.group(1).strip() for m in ORG.finditer(masked))
        if (
            found.claimant
            and found.kind == "Person"
            and found.method in {"reported_speech", "quotation", "coreference"}
            and (not names or sentence.find(names[-1][1]) < sentence.find(found.claimant))
        ):
            register.last_person = found.claimant
        if register.research_lead and not register.first_research_lead:
            register.first_research_lead = register.research_lead
    # "According to a study" before its author is named: the first author the article names.
    for i, found in enumerate(results):
        if found.method == PENDING_RESEARCH.method:
            lead, org = register.first_research_lead, register.research_org
            if lead:
                results[i] = Attribution(lead, "research", "Person")
            else:
                results[i] = Attribution(org, "research", "Organization") if org else NONE
    # "Researchers are warning ..." before the article names a company's researcher: the company.
    for i, (start, end) in enumerate(spans):
        if (
            register.research_firm
            and not results[i].claimant
            and not (skip and skip[i])
            and RESEARCHERS_FIND.search(mask_quotes(text[start:end], in_quote[start:end]))
        ):
            results[i] = Attribution(register.research_firm, "research", "Organization")
    # Quotations over several sentences: the sentences inside take the attribution given in the
    # first or last sentence of the quotation.
    for qs, qe in quotes:
        first = bisect.bisect_right(span_ends, qs)
        last = bisect.bisect_left(span_starts, qe)
        members = list(range(first, last))
        if len(members) < 2:
            continue
        source = next((results[i] for i in [members[-1], members[0]] if results[i].claimant), None)
        if source is None:
            continue
        for i in members:
            if not results[i].claimant and not (skip and skip[i]):
                results[i] = Attribution(source.claimant, "quotation_continued", source.kind)
    _carry_findings(text, spans, results, skip)
    # A pull quote followed by a line that only names its speaker ("Michael Shadlen, Ph.D.").
    speakers = {r.claimant for r in results if r.kind == "Person"}
    for i in range(len(spans) - 1):
        sentence = text[spans[i][0] : spans[i][1]].lstrip()
        if results[i].claimant or (skip and skip[i]) or sentence[:1] not in {"“", '"'}:
            continue
        byline = text[spans[i + 1][0] : spans[i + 1][1]].strip(" —–-\n")
        name = re.match(r"([A-Z][\w.\-’']*(?:\s+[A-Z][\w.\-’']*)+)(?:,\s*[\w.,\s]{1,30})?$", byline)
        if name and name.group(1) in speakers:
            results[i] = Attribution(name.group(1), "quotation", "Person")
    # A quotation that opens a new sentence right after a speaker's words, with no speaker of its
    # own, goes on in that speaker's voice ("X said: ..." then quoted lines).
    for i in range(1, len(spans)):
        prev = results[i - 1]
        if (
            not results[i].claimant
            and prev.claimant
            and prev.method in SPEAKER_METHODS
            and not (skip and skip[i])
            and text[spans[i][0] : spans[i][1]].lstrip()[:1] in {"“", '"'}
        ):
            results[i] = Attribution(prev.claimant, "quotation_continued", prev.kind)
    _carry_after_said(text, spans, results, skip)
    _bullets_after_said(text, spans, results, in_quote, register)
    _embedded_tweets(text, spans, results, register)
    return results


def _bullets_after_said(text, spans, results, in_quote, register) -> None:
    """A list of bullets introduced by reported speech ("President Obama also said:" then "- He
    is confident ...") is the speaker's, bullet by bullet, even where the lines read as
    boilerplate."""
    for i in range(len(spans) - 1):
        start, end = spans[i]
        if not text[start:end].rstrip().endswith(":"):
            continue
        intro = results[i]
        if not intro.claimant:
            intro = attribute_one(text[start:end], in_quote[start:end], register)
        if not intro.claimant or intro.method not in SPEAKER_METHODS:
            continue
        intro = Attribution(intro.claimant, "bullet", claimant_kind(intro, register))
        j = i + 1
        while j < len(spans) and re.match(r"\s*[-•–]\s", text[spans[j][0] : spans[j][1]]):
            if not results[j].claimant:
                results[j] = intro
            j += 1


def _embedded_tweets(text, spans, results, register) -> None:
    """An embedded tweet, extracted as a few short lines above its signature line ("— Dave
    Schukin (@schukin) July 3, 2019"), is its author's, even where the lines read as boilerplate.
    The tweet goes back at most four lines, and stops at a line of the article's prose: one that
    speaks of Twitter or holds more than three sentences."""
    for sig in TWEET_SIGNATURE.finditer(text):
        found = Attribution(re.sub(r"\s+", " ", sig.group(1)).strip(), "tweet")
        found = Attribution(found.claimant, "tweet", claimant_kind(found, register))
        top = line_end = sig.start()
        for _ in range(4):
            if line_end <= 0:
                break
            line_start = text.rfind("\n", 0, line_end - 1) + 1
            line = text[line_start:line_end]
            inside = [i for i, (s, e) in enumerate(spans) if line_start <= s and e <= line_end]
            if TWITTER_MENTION.search(line) or len(inside) > 3:
                break
            top, line_end = line_start, line_start
        for i, (s, e) in enumerate(spans):
            if top <= s and e <= sig.start() and not results[i].claimant:
                results[i] = found


def _carry_after_said(text, spans, results, skip) -> None:
    """A sentence in reported speech closed by its speaker ("..., he added.") lends that speaker
    to the next sentence of the same paragraph when that has no claimant or source of its own,
    quotes nothing and is not in the first person: "... 400 and 600 breaks a year, he added. The
    majority occur in winter, ...". (After a quotation the article's voice comes back.)"""
    for i in range(1, len(spans)):
        prev, sentence = results[i - 1], text[spans[i][0] : spans[i][1]]
        before = text[spans[i - 1][0] : spans[i - 1][1]].strip()
        if (
            prev.claimant
            and not results[i].claimant
            and not (skip and skip[i])
            and "\n" not in text[spans[i - 1][1] : spans[i][0]]
            and SAID_AT_END.search(before)
            and not re.search(r"[“”\"]", before + sentence)
            and not ACCORDING.search(sentence)
            and not FIRST_PERSON.search(sentence)
        ):
            results[i] = Attribution(prev.claimant, "said_continued", prev.kind)
