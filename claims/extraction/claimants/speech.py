"""Who says a sentence: reporting verbs, their subjects, "according to", studies and groups."""

from __future__ import annotations

import re

from .. import lexicon as lex
from .patterns import (
    ACCORDING,
    AMBIGUOUS_VERB,
    APPOSITIVE,
    AUXILIARY_END,
    BODY,
    BODY_QUALIFIER,
    CLAUSE_VERB,
    DEMONYM,
    FINDING_VERB,
    GENERIC_PLURAL,
    GENERIC_SOURCE,
    GROUP,
    LEADING_FILLER,
    MODAL,
    NAMED_JUST_BEFORE,
    NAMED_LOWER_BODY,
    NEGATED,
    NOUN_BEFORE,
    NP_OBJECT,
    ORG,
    ORG_WORD,
    OWNED_REPORT,
    PASSIVE,
    PREP_AFTER,
    PRONOUN,
    RELATIVE,
    REPORT_BY,
    REPORT_VERB,
    RESEARCH_FINDS,
    RESEARCH_SUBJECT,
    RESEARCHERS_FIND,
    ROLE,
    SAYS_REPORT,
    SPOKES_FOR,
    STUDY_DETAIL,
    STUDY_SUBJECT,
    THEY_FOUND,
    TIME_END,
    VERB,
    is_name_clause,
)
from .register import (
    NONE,
    PENDING_RESEARCH,
    Attribution,
    PersonRegister,
)


def mask_quotes(text: str, quote_mask: list[bool]) -> str:
    if not any(quote_mask):
        return text
    return "".join(
        "_" if q and ch not in '“”"' else ch for ch, q in zip(text, quote_mask, strict=True)
    )


def _subject_clause(pre: str) -> str:
    """The clause that holds the verb's subject: after the last comma ("..., Harris said"), or
    the name before an appositive ("Lee, the Democratic Party leader, said")."""
    parts = [p.strip() for p in pre.split(",")]
    parts = [p for p in parts if _strip_filler(p)] or parts  # ", however," is no clause
    parts = [TIME_END.sub("", AUXILIARY_END.sub("", p)) for p in parts]
    while len(parts) > 1 and re.match(r"(?:who|which|whose)\b|[a-z]+ed\s+\S", parts[-1]):
        # "the source, who said he had spoken to people inside, told Reuters"; "the Electoral
        # Commission, which regulates ..., issued a statement warning"
        parts.pop()
        while len(parts) > 1 and re.match(r"(?:who|which|whose)\b", parts[-1]):
            parts.pop()
    k = len(parts) - 1
    j = k
    while j > 0 and APPOSITIVE.match(parts[j]):  # appositives in a row after one name
        j -= 1
        if is_name_clause(parts[j]) or STUDY_SUBJECT.fullmatch(parts[j]):
            k = j
            break
    return _strip_filler(parts[k]) or parts[k]


def _strip_filler(text: str) -> str:
    """Leading connectives off a clause, all of them ("And though the CDC" -> "the CDC")."""
    while (stripped := LEADING_FILLER.sub("", text)) != text:
        text = stripped
    return text


def _subject_before(pre: str, register: PersonRegister) -> Attribution:
    """The speaker in the words before a speech verb (the clause's subject)."""
    pre = re.sub(
        r"\s+(?:has|have|had|was|were|is|also|reportedly|once|previously|further)\s*$",
        "",
        pre.rstrip(" ,"),
    )
    pre = pre.rstrip(" ,")
    # Only the clause the verb belongs to: after the last quotation, "that" or semicolon.
    cut = max(pre.rfind("”"), pre.rfind('"'), pre.rfind(";"), pre.rfind(" that "))
    if "’’" in pre:  # a closing quotation typed as two apostrophes: “It was,’’ Will Moy said
        cut = max(cut, pre.rfind("’’") + 1)
    if cut >= 0:
        pre = pre[cut + 1 :]
    pre = _strip_filler(pre.strip(" ,:"))
    if not pre:
        return NONE
    sentence_pre = pre
    pre = _subject_clause(pre)
    spokes = SPOKES_FOR.search(pre)
    if spokes:
        return Attribution(_trim_org(spokes.group(1)), "spokesperson", "Organization")
    if re.match(r"(?:a|an|one)\s+(?:\w+\s+)?spokes(?:man|woman|person)\b", pre, re.I):
        # "A spokesperson who did not wish to be named said": the body that spoke last
        last = register.last_speaker
        if last and last.kind == "Organization":
            return Attribution(last.claimant, "spokesperson", "Organization")
        if register.body_before:  # "... did not accept the offer. A spokesperson ... said"
            return Attribution(register.body_before, "spokesperson", "Organization")
        return NONE
    owned = OWNED_REPORT.search(pre)
    if owned and owned.end() >= len(pre.rstrip()) - 12:
        return _named(owned.group(1).strip(), "report", register)
    if STUDY_SUBJECT.match(pre) and not REPORT_BY.search(pre):
        return _research(register)  # "A new research paper published in ... suggests"
    if RESEARCH_SUBJECT.search(pre) and len(pre.split(",")[-1].split()) <= 6:
        return _research(register)
    words = pre.split()
    if words and words[-1].lower() == "they" and len(words) <= 2 and register.last_speaker:
        return Attribution(
            register.last_speaker.claimant, "coreference", register.last_speaker.kind
        )
    if (
        words
        and words[-1].lower() == "it"
        and len(words) <= 2
        and register.last_speaker
        and register.last_speaker.kind == "Organization"
    ):  # "..., it said in a statement": the organisation that spoke last
        return Attribution(register.last_speaker.claimant, "coreference", "Organization")
    if words and words[-1].lower() in {"they", "we", "i", "you", "it"}:
        return NONE
    clause = pre.split(",")[-1]
    last_word = clause.split()[-1].lower() if clause.split() else ""
    group_end = (
        [m for m in GROUP.finditer(clause) if not clause[m.end(1) :].strip()]
        if last_word.endswith(("s", "police"))
        else []
    )
    if group_end:  # "Con Edison officials said": the group, never a person named "Con Edison"
        return _group_claimant(group_end[-1].group(1).strip(), pre, register)
    of_outlet = re.fullmatch(
        r"([A-Z][\w\-’']+(?:\s+[A-Z][\w\-’']+)*)\s+(?:of|from|at)\s+(?:the\s+)?[A-Z].*", pre
    )
    if of_outlet and register.resolve(of_outlet.group(1)) != of_outlet.group(1):
        # "Wee of the Times reports": the journalist named before, not the newspaper
        return Attribution(register.resolve(of_outlet.group(1)), "reported_speech", "Person")
    named_body = NAMED_LOWER_BODY.fullmatch(pre)
    caps = named_body.group(1).split()[:-1] if named_body else []
    caps = [w for w in caps if w[:1].isupper()]
    if (
        named_body
        and caps[0].lower() not in lex.NON_NAME
        and not (len(caps) == 1 and (DEMONYM.fullmatch(caps[0]) or caps[0].lower() in lex.PLACES))
    ):  # "the Inner Mongolia health commission said": a body, not "Inner Mongolia"
        return Attribution(named_body.group(1), "organisation", "Organization")
    subject_org = [m for m in ORG.finditer(pre) if m.end() >= len(pre.rstrip(" ,’'")) - 1]
    if subject_org:  # "the Universities and Colleges Employers' Association said": one body
        name = re.sub(r"^(?:The|A|An)\s+", "", subject_org[-1].group(1).strip())
        return Attribution(name, "organisation", "Organization")
    people = register.scan(pre)
    if people:
        return Attribution(register.add(people[-1][1]), "reported_speech")
    tail = pre[-60:]
    if PRONOUN.search(tail.split(",")[-1]) or ROLE.search(tail.split(",")[-1]):
        earlier = register.scan(sentence_pre[: len(sentence_pre) - len(pre)])
        if re.match(r"(?:his|her)\s", tail.split(",")[-1].strip()) and earlier:
            # "X ... returned to Harare, his spokesman said": X, named earlier in the sentence
            return Attribution(register.resolve(earlier[-1][1]), "coreference", "Person")
        role = re.match(r"(?:the\s+)(\w+)$", tail.split(",")[-1].strip(), re.IGNORECASE)
        if role and role.group(1).lower() in register.roles:  # "the governor said"
            return Attribution(register.roles[role.group(1).lower()], "coreference", "Person")
        if register.last_person:
            return Attribution(register.last_person, "coreference", "Person")
        return NONE
    orgs = [m.group(1).strip() for m in ORG.finditer(pre)]
    if orgs:
        return Attribution(orgs[-1], "organisation")
    body = BODY.search(pre.split(",")[-1])
    if body:
        named = register.body(body.group(1)) or register.named_in_text(body.group(1), body=True)
        last = register.last_speaker
        if not named and last and last.kind == "Organization":
            named = last.claimant  # "the agency said": the body that spoke last
        return Attribution(named or body.group(0), "organisation")
    pair = re.search(
        r"(?:^|\s)(?:both\s+)?([A-Z][\w&.\-]*(?:\s+[A-Z][\w&.\-]*)*)\s+and\s+[A-Z][\w&.\-]*$", pre
    )
    if pair and pair.group(1).lower() not in lex.NON_NAME:
        return _named(
            pair.group(1),
            "organisation" if ORG.search(pair.group(1)) else "reported_speech",
            register,
        )
    group = GROUP.findall(pre.split(",")[-1])
    if group:
        return _group_claimant(group[-1].strip(), pre, register)
    last = re.sub(r"^(?:the|The)\s+", "", pre.split(",")[-1].strip())
    if GENERIC_PLURAL.match(last):
        return NONE
    if re.fullmatch(r"(?:[A-Z][\w\-]*(?:['’]s)?\s*){1,4}", last) and not any(
        t.lower().strip(".,") in lex.NON_NAME for t in last.split()
    ):
        # A capitalised subject that is not a known person: a country, a body, or a person named
        # by surname only ("Smith said"); the name is right either way, the kind is unknown.
        known_body = last.lower().split()[0].rstrip("’'s") in lex.PLACES
        return Attribution(last, "organisation" if known_body else "reported_speech")
    return NONE


def _group_claimant(group: str, pre: str, register: PersonRegister) -> Attribution:
    """A plural group as subject: named by a body or nation ("Con Edison officials", "Russian
    officials") it is that organisation; "the officials" or "agency officials" are the body whose
    officials spoke last; a bare or generic plural ("Others", "local officials") is no claimant."""
    words = group.split()
    while words and words[0].lower() in lex.NON_NAME - {"the"} and len(words) > 1:
        words.pop(0)
    qualifiers = words[:-1]
    if words[-1].lower() == "prosecutors" and (office := register.named_in_text("prosecutors")):
        # "Prosecutors alleged": the prosecuting office the article names, before or after
        return Attribution(office, "coreference", "Organization")
    if [q.lower() for q in qualifiers] == ["the"]:
        # "the doctors": the body named for them ("Doctors for Camp Closure")
        named = register.named_in_text(words[-1]) or register.body(words[-1])
        if named:
            return Attribution(named, "coreference", "Organization")
    if (
        qualifiers
        and qualifiers[-1].lower() in BODY_QUALIFIER | {"the"}
        and (len(qualifiers) == 1 or not qualifiers[-2][:1].isupper())
        and register.officials
    ):
        return Attribution(register.officials, "coreference", "Organization")
    sentence_start = pre.strip().startswith(" ".join(words))
    proper = [
        q
        for i, q in enumerate(qualifiers)
        if q[:1].isupper()
        and (
            i > 0
            or not sentence_start
            or q.lower() not in register.common_words
            or DEMONYM.fullmatch(q)
            or q.lower() in lex.PLACES
            or ORG_WORD.fullmatch(q)
        )
    ]
    if not proper or GENERIC_PLURAL.match(" ".join(words)):
        return NONE
    if len(proper) == 1 and DEMONYM.fullmatch(proper[0]) and register.officials:
        # "American officials" after "Obama administration officials": that body's officials
        return Attribution(register.officials, "coreference", "Organization")
    name = " ".join(words[words.index(proper[0]) :])
    if not (DEMONYM.fullmatch(proper[0]) or proper[0].lower() in lex.PLACES or words[-1].istitle()):
        name = " ".join(qualifiers[qualifiers.index(proper[0]) :])  # the body: "Con Edison"
        name = register.same_body(name)
        register.officials = name  # "the officials" later are this body's
    return Attribution(name, "reported_speech", "Organization")


def _subject_after(post: str, register: PersonRegister) -> Attribution:
    """Inverted reporting: “...,” said Kabulov / said the official."""
    post = post.strip(" ,")[:80]
    if re.match(r"researchers\b", post) and register.research_firm:
        return Attribution(register.research_firm, "research", "Organization")  # the firm's
    if re.match(r"(?:the\s+)?(?:researchers|scientists|authors|study|team)\b", post, re.I):
        return _research(register)  # "..., said researchers."
    # "said chief inspector Jennifer Mattinson": lower-case titles before the name
    while (word := re.match(r"([a-z][\w\-]*)\s+", post)) and word.group(1) in lex.TITLES:
        post = post[word.end() :]
    m = re.match(r"(?:(?:he|she)\b)", post, re.IGNORECASE)
    if m or ROLE.match(post):
        if register.last_person:
            return Attribution(register.last_person, "coreference")
        return NONE
    group = GROUP.match(post)
    if group and re.match(r"the\s+\w+$", group.group(1), re.I):  # "..., said the officials"
        found = _group_claimant(group.group(1), post, register)
        if found.claimant:
            return found
    for _, name in register.scan(post)[:1]:
        if post.startswith(name) or re.match(r"^[A-Z]", post):
            return Attribution(register.add(name), "reported_speech")
    m = ORG.match(re.sub(r"^(?:the|The)\s+", "", post))
    if m:
        return Attribution(m.group(1).strip(), "organisation")
    return NONE


# A name the phrase introduces with an organisation noun: "(whale rescue) group Project Jonah".
ORG_TITLED = re.compile(
    rf"\b(?i:{lex.ORG_APPOSITIVES})\s+((?:[A-Z][\w’'&.-]*)(?:\s+(?:(?:of|for|and|&)\s+)?"
    rf"[A-Z][\w’'&.-]*)*)\s*$"
)


def _according_to(text: str, register: PersonRegister) -> Attribution:
    m = ACCORDING.search(text)
    if not m:
        return NONE
    phrase = m.group(1).strip()
    by = REPORT_BY.search(phrase)
    if by:  # "the TexAuto Facts report from InfoNation" -> InfoNation
        return _named(by.group(1), "according_to", register)
    if GENERIC_SOURCE.match(phrase):
        if re.search(r"\b(?:study|research|paper|survey|analysis)\b", phrase, re.IGNORECASE):
            return _research(register)
        return NONE
    owned = OWNED_REPORT.match(phrase)
    if owned:
        return _named(owned.group(1).strip(), "according_to", register)
    group = GROUP.fullmatch(phrase)
    if group:  # "according to Environmental Protection Department officials"
        found = _group_claimant(phrase, phrase, register)
        return Attribution(found.claimant, "according_to", found.kind) if found.claimant else NONE
    titled = ORG_TITLED.search(phrase)
    if titled:  # "according to whale rescue group Project Jonah" -> Project Jonah
        return Attribution(_trim_org(titled.group(1)), "according_to", "Organization")
    people = register.scan(phrase)
    if people:
        return Attribution(register.add(people[0][1]), "according_to")
    is_reference = ROLE.match(phrase) or re.match(r"(?:him|her)\b", phrase)
    if is_reference and register.last_person:
        return Attribution(register.last_person, "according_to")
    phrase = re.split(r"\s+(?:on|in|at|which|who|that)\s+", phrase)[0].strip()
    if (not re.search(r"\b[A-Z]", phrase) and not BODY.search(phrase)) or re.match(
        r"(?:a|an|some|one)\s", phrase
    ):
        return NONE  # "according to teachers unions", "to a group representing ...": no one named
    return Attribution(phrase, "according_to") if phrase else NONE


def _trim_org(name: str) -> str:
    name = re.split(r"\s+(?:said|says|told|who|which|that)\b", name.strip())[0]
    return name.strip(" ,.’'")


def _named(name: str, method: str, register: PersonRegister) -> Attribution:
    name = _trim_org(re.sub(r"^(?:the|The)\s+", "", name))
    people = register.scan(name)
    if people and people[0][1] == name:
        return Attribution(register.add(name), method, "Person")
    return Attribution(name, method, "Organization")


def _research(register: PersonRegister) -> Attribution:
    """The study's named author; if none is named yet, decided at the article's end (PENDING)."""
    register.study_named = True
    if register.research_lead:
        return Attribution(register.research_lead, "research", "Person")
    return PENDING_RESEARCH


def _reports_speech(verb: str, pre: str, post: str) -> bool:
    """Whether a speech verb reports what its subject says (not a relative clause, a passive,
    a negation or a noun)."""
    if RELATIVE.search(pre) or PASSIVE.search(pre) or NEGATED.search(pre):
        return False
    if MODAL.search(pre):  # "Few would argue against ...": nobody is saying it
        return False
    if re.match(r"\s+as\s+much\b", post):  # "has effectively admitted as much"
        return False
    clause_follows = re.match(r"\s*(?:[,:“\"]|that\b)", post) or pre.rstrip().endswith(",")
    if verb.startswith("cite"):  # "has cited a study showing ...": the study's figures
        return bool(
            re.match(
                r"\s+(?:a|an|the|new)\s+(?:\w+\s+)?(?:study|report|survey|data|figures|poll)", post
            )
        )
    if FINDING_VERB.fullmatch(verb):  # "found that ...", "Edmunds expects 16.6 million ... will"
        return bool(
            clause_follows
            or re.match(r"\s+(?:they|it|he|she|we)\b", post)
            or re.match(r"\s+(?:\S+\s+){1,8}?(?:will|would|to be|should|get)\b", post)
        )
    if CLAUSE_VERB.fullmatch(verb):  # "he responded quickly" reports nothing
        return bool(clause_follows or re.search(r"[”\"]\s*,?\s*$", pre))
    if AMBIGUOUS_VERB.fullmatch(verb):
        if clause_follows:
            return True
        if (PREP_AFTER.match(post) and not NAMED_JUST_BEFORE.search(pre)) or (
            NP_OBJECT.match(post) and not verb.startswith("accuse")
        ):
            return False
        if NOUN_BEFORE.search(pre) and not re.search(r"[A-Z]\S*\s+$", pre):
            return False
    return True


def attribute_one(text: str, quote_mask: list[bool], register: PersonRegister) -> Attribution:
    masked = mask_quotes(text, quote_mask)
    found = _according_to(masked, register)
    if found.claimant:
        # "..., the Inner Mongolia health commission said, according to Reuters": the speaker,
        # whom the outlet only relays; so is "he" in "..., he said, according to the Intelligencer"
        spoken = _speech_verb_claimant(masked, register)
        if spoken.claimant and spoken.method in {"reported_speech", "organisation", "coreference"}:
            return spoken
    if found.claimant or found is PENDING_RESEARCH:
        return found
    if (register.research_lead or register.study_named) and STUDY_DETAIL.search(masked):
        return _research(register)  # "its key findings", "respondents aged 12 to 17"
    if RESEARCH_FINDS.search(masked) or (
        register.research_lead and THEY_FOUND.search(masked)
    ):  # "the researchers found", and "they found" once a study's author is named
        return _research(register)
    if register.research_firm and RESEARCHERS_FIND.search(masked):  # the company's researchers
        return Attribution(register.research_firm, "research", "Organization")
    owned = OWNED_REPORT.search(masked)
    if owned and REPORT_VERB.match(masked[owned.end() :]):
        return _named(owned.group(1).strip(), "report", register)
    says_report = SAYS_REPORT.search(masked)
    if says_report and register.organisations:
        return Attribution(register.organisations[-1], "report", "Organization")
    return _speech_verb_claimant(masked, register)


def _speech_verb_claimant(masked: str, register: PersonRegister) -> Attribution:
    """The subject of the first reporting verb that reports speech, before or after it."""
    for m in VERB.finditer(masked):
        pre, post = masked[: m.start()], masked[m.end() :]
        if not _reports_speech(m.group(0), pre, post):
            continue
        pre_clause = pre.rstrip()
        if (
            not pre_clause.strip(' ,“”"_')
            or pre_clause.endswith(("”", '"', ",”", ',"'))
            or re.search(r"[”\"]\s*,?\s*$", pre_clause)
        ):
            found = _subject_after(post, register)
        elif pre_clause.endswith(",") and not m.group(0).startswith("tol"):
            # "..., said Ian Michaels, a spokesman for ..." / "..., reports Reuters."
            # (but "..., the source told Reuters": Reuters listened)
            found = _subject_after(post, register)
            if not found.claimant:
                found = _subject_before(pre, register)
        else:
            found = _subject_before(pre, register)
        if found is PENDING_RESEARCH:
            return found
        if found.claimant or found is PENDING_RESEARCH:
            return found
    return NONE
