"""Who made each claim: reported speech, quotations, "according to", coreference, organisations.

Rule-based, over the sentences of one article in order. It keeps a register of the people the
article has named so far, so that "Kabulov" is returned as "Zamir Kabulov", and "the official",
"the diplomat" or "he" resolve to the most recent person named. A quotation that runs over several
sentences gives every sentence inside it the claimant attributed before or after it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from . import lexicon as lex

_VERB = re.compile(rf"(?<![-\w])(?:{lex.SPEECH_VERBS})\b")  # not "so-called"
_ACCORDING = re.compile(r"\baccording to\s+([^,.;:()“”\"]+)", re.IGNORECASE)

_ORG = re.compile(
    rf"((?:[A-Z][\w\-&]*(?:['’]s|(?<=s)['’])?\s+(?:(?:of|for|and|&)\s+(?:the\s+)?)?)*"
    rf"(?:{lex.ORG_WORDS})\b(?:\s+(?:of|for|on)\s+(?:the\s+)?[A-Z][\w\-]*"
    rf"(?:\s+(?:(?:and|&)\s+)?[A-Z][\w\-]*)*)?)"
)
# "a spokesperson for the Home Office said" -> the Home Office.
_SPOKES_FOR = re.compile(
    r"\b(?:[Aa]n?|[Tt]he|[Oo]ne)\s+(?:[a-z]+\s+)?spokes(?:man|woman|person|people)\s+(?:for|of|at)\s+"
    r"(?:the\s+)?([A-Z][\w\-&.’']*(?:\s+(?:(?:and|of|for|on|&)\s+(?:the\s+)?)?[A-Z][\w\-&.’']*)*)"
)
# "the Rhodium Group's report says", "Stanford's analysis found" -> the owner.
_OWNED_REPORT = re.compile(
    r"((?:[A-Z][\w\-&.]*\s+(?:(?:of|for|and|on)\s+(?:the\s+)?)?)*[A-Z][\w\-&.]*)['’]s?\s+"
    r"(?:own\s+)?(?:new\s+|latest\s+|annual\s+)?(?:report|study|analysis|survey|research|data|"
    r"figures|estimate|estimates|review|investigation|paper|poll)\b"
)
# Research subjects that stand for the study's named authors or its institution.
_RESEARCH_SUBJECT = re.compile(
    r"\b(?:the|these|our|its|their)?\s*(?:researchers|scientists|authors|team|study|paper|research|"
    r"report|analysis|survey|findings)\s*$",
    re.IGNORECASE,
)
# A sentence that names a study's authors or its institution ("Senior author Dr. Silvia S.
# Martins", "the scientists were led by Michael Shadlen", "a new report ... by Stanford's Center").
_STUDY_SUBJECT = re.compile(
    r"(?:a|an|the|this|that)\s+(?:(?:new|recent|latest)\s+)?(?:research\s+)?"
    r"(?:study|paper|report|survey|analysis|research)\b",
    re.IGNORECASE,
)
_RESEARCH_CONTEXT = re.compile(
    r"\b(?:study|studies|research|paper|report|survey|analysis|findings|author|authors|journal|"
    r"led\s+by)\b",
    re.IGNORECASE,
)
# A bare plural with no one named ("Others", "Critics said") is no claimant.
_GENERIC_PLURAL = re.compile(
    r"^(?:some\s+|many\s+|other\s+|most\s+)?(?:others|critics|opponents|supporters|observers|"
    r"experts|analysts|officials|sources|people|residents|witnesses|activists|protesters|"
    r"campaigners|some|many|few|several|they)$",
    re.IGNORECASE,
)
_NAME_PART = (
    r"(?:[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:[-’'][A-Za-z]+)?|[A-Z]\."
    r"|(?:al|el|bin|ibn|van|von|de|da|di|le)-[A-Z][a-z]+)"
)
_NAME_SEQ = re.compile(
    rf"{_NAME_PART}(?:\s+(?:(?:al|bin|ibn|van|von|de|da|di|du|le|la|abu)\s+)?{_NAME_PART})*"
)
_ROLE_OF_TITLE = {
    "gov": "governor",
    "sen": "senator",
    "rep": "representative",
    "gen": "general",
    "col": "colonel",
    "lt": "lieutenant",
    "capt": "captain",
    "sgt": "sergeant",
    "adm": "admiral",
    "maj": "major",
    "dr": "doctor",
    "prof": "professor",
}
_NOT_NAME_WORDS = lex.TITLES | lex.PLACES | lex.NON_NAME
_ORG_WORD = re.compile(rf"(?:{lex.ORG_WORDS})")
_PRONOUN = re.compile(r"\b(he|she)\b", re.IGNORECASE)
_ROLE = re.compile(
    rf"\b(?:the|this|that|his|her)\s+(?:[a-z]+\s+){{0,2}}(?:{lex.ROLE_NOUNS})\b", re.IGNORECASE
)
_GROUP = re.compile(
    r"((?:[A-Z][\w\-&.]*\s+)*(?:[a-z]+\s+)?(?i:officials|authorities|sources|experts|analysts|"
    r"diplomats|officers|lawmakers|leaders|researchers|scientists|doctors|witnesses|residents|"
    r"critics|opponents|supporters|activists|protesters|observers|investigators|prosecutors|"
    r"economists|campaigners|rebels|militants|medics|rescuers|organi[sz]ers|police))\b"
)
_BODY = re.compile(
    r"\bthe\s+(?:(?!same\b|other\b|whole\b|entire\b|first\b|new\b|two\b|three\b)[\w\-]+\s+)"
    r"{0,2}?(ministry|government|company|agency|army|police|department|embassy|council|"
    r"committee|commission|military|court|party|white house|kremlin|pentagon|office|bank|"
    r"organi[sz]ation|group)\b",
    re.IGNORECASE,
)
# A surname after a title ("Mr. Johnson", "President Putin") is a person even when it is the
# article's first mention.
_TITLED = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gen|Col|Gov|Lt|Capt|Sgt|Adm|Maj)\.\s*"
    r"([A-Z][\w\-’']+(?:\s+[A-Z][\w\-’']+)*)"
    r"|\b(?:President|Minister|Senator|Governor|General|Colonel|Ambassador|Chancellor|Premier|"
    r"Secretary|Mayor|Judge|Spokesman|Spokeswoman|Envoy|Commander)\s+([A-Z][\w\-’']+)\b(?!\s+[A-Z])"
)
_LEADING_FILLER = re.compile(
    r"^(?:also|meanwhile|however|but|and|yet|separately|earlier|later|moreover|in addition|"
    r"while|whereas|now|though|although|still|since|when|as|if|so|then|instead)\b"
    r"[\s,]*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Attribution:
    claimant: str | None
    method: str
    kind: str = ""  # "Person" or "Organization" (schema.org types); "" when no claimant


NONE = Attribution(None, "")
PENDING_RESEARCH = Attribution(None, "research_pending")


def _clean_name(seq: str) -> str | None:
    """The person name at the end of a capitalised run, after any title, place or body words
    ("Indiana State Teachers Association President Keith Gambill" -> "Keith Gambill"), or None."""
    tokens = seq.split()
    low = [t.lower().strip(".’'") for t in tokens]
    cut = max(
        (
            i + 1
            for i, t in enumerate(low)
            if t in _NOT_NAME_WORDS or _ORG_WORD.fullmatch(tokens[i])
        ),
        default=0,
    )
    tokens = tokens[cut:]
    if not tokens or (len(tokens) == 1 and cut and low[cut - 1] in lex.PLACES):
        return None
    if tokens[-1].endswith(("’s", "'s")):  # a possessive is never the speaker's own name
        return None
    if tokens[-1].strip(".").lower() in lex.NOT_PERSON_LAST:  # "Data Retention Bill", "Eighth St"
        return None
    return " ".join(tokens)


class PersonRegister:
    """People named so far in an article, in order; maps surnames to full names."""

    def __init__(self) -> None:
        self.full_names: list[str] = []
        self.last_person: str | None = None
        self.organisations: list[str] = []
        self.last_speaker: Attribution | None = None  # "they said": people or organisations
        self.research_lead: str | None = None  # a study's named author, for "the researchers"
        self.first_research_lead: str | None = None
        self.research_org: str | None = None  # the institution behind a study or report
        self.officials: str | None = None  # "Con Edison officials": for a later "the officials"
        self.common_words: set[str] = set()  # the article's lower-case words ("opposition")
        self.text = ""
        self._named: dict[tuple[str, bool], str | None] = {}
        self.study_named = False  # a study was cited, its author perhaps not named yet
        self.roles: dict[str, str] = {}  # "governor" -> "Eric Holcomb", from "Gov. Eric Holcomb"

    def named_in_text(self, noun: str, body: bool = False) -> str | None:
        """The name the article gives a group or body anywhere in its text, looked up once per
        article: "prosecutors" -> the prosecuting office, "doctors" -> "Doctors for Camp Closure",
        "agency" (body) -> "Roscosmos Space Agency"."""
        key = (noun.lower(), body)
        if key not in self._named:
            if body:
                self._named[key] = _named_body(noun, self.text)
            elif key[0] == "prosecutors":
                found = _PROSECUTORS.search(self.text)
                self._named[key] = found.group(1) if found else None
            else:
                found = re.search(
                    rf"\b{re.escape(noun.capitalize())}"
                    rf"(?:\s+(?:(?:for|of|and|&|on)\s+)?[A-Z][\w\-]*)+",
                    self.text,
                )
                self._named[key] = found.group(0) if found else None
        return self._named[key]

    def body(self, noun: str) -> str | None:
        """The most recent organisation named with this noun ("the ministry" -> its full name)."""
        for org in reversed(self.organisations):
            if noun.lower() in org.lower():
                return org
        return None

    def resolve(self, name: str) -> str:
        """A full name the article introduced earlier for `name`, else `name` itself."""
        parts = name.split()
        for full in reversed(self.full_names):
            fparts = full.split()
            if full == name or (len(parts) < len(fparts) and fparts[-len(parts) :] == parts):
                return full
        return name

    def add(self, name: str) -> str:
        full = self.resolve(name)
        if full == name and len(name.split()) >= 2 and name not in self.full_names:
            self.full_names.append(name)
        self.last_person = full
        return full

    def scan(self, text: str) -> list[tuple[int, str]]:
        """(offset, name) of person names in text; single words only when already known."""
        found = []
        for m in _NAME_SEQ.finditer(text):
            name = _clean_name(m.group(0))
            if not name:
                continue
            if len(name.split()) < 2 and self.resolve(name) == name:
                continue
            prev = text[: m.start()].split()
            if prev and prev[-1].lower() in lex.PREPOSITIONS:
                continue
            found.append((m.start() + m.group(0).find(name), name))
        for m in _TITLED.finditer(text):
            name = m.group(1) or m.group(2)
            title = m.group(0).split()[0].strip(".").lower()
            if m.group(1) and len(name.split()) >= 2 and title in _ROLE_OF_TITLE:
                # "Gov. Eric Holcomb": the governor (the first one named is the article's)
                self.roles.setdefault(_ROLE_OF_TITLE[title], name)
            low = name.lower()
            if (
                name.endswith(("’s", "'s"))
                or low in lex.PLACES
                or low in lex.NON_NAME
                or low in lex.TITLES
            ):
                continue
            prev = text[: m.start()].split()
            if prev and prev[-1].lower() in lex.PREPOSITIONS:
                continue
            if not any(start <= m.start(1 if m.group(1) else 2) < start + len(n)
                       or m.start(1 if m.group(1) else 2) <= start < m.end()
                       for start, n in found):  # fmt: skip
                found.append((m.start(1 if m.group(1) else 2), name))
        found.sort()
        return found


# Capitalised runs in a study's description that are not its authors ("National Survey").
_NOT_AUTHOR = re.compile(
    r"\b(?:Survey|Study|Journal|Report|Review|Research|Index|Database|Data|Health|Science|"
    r"Nature|Agreement|Act|Bill|Law|Landscapes?|Peoples?|Programme|Program|Project)\b"
)


def _mask_quotes(text: str, quote_mask: list[bool]) -> str:
    if not any(quote_mask):
        return text
    return "".join(
        "_" if q and ch not in '“”"' else ch for ch, q in zip(text, quote_mask, strict=True)
    )


_APPOSITIVE = re.compile(
    rf"(?:a|an|the)\s|(?:supported|published|led|funded|conducted|written|released)\s+by\b|\d+$|[A-Z][\w&.\-]*[’']s\s|(?:{'|'.join(sorted(lex.TITLES))})\b",
    re.I,
)


def _is_name_clause(part: str) -> bool:
    """Whether a clause is only a (titled) name: "Lee", "Senior author Dr. Silvia S. Martins"."""
    words = part.split()
    return (
        bool(words)
        and words[-1][:1].isupper()
        and all(w[:1].isupper() or w.lower().strip(".") in lex.TITLES for w in words)
    )


_AUXILIARY_END = re.compile(
    r"\s+(?:has|have|had|was|were|is|also|reportedly|once|previously|further)\s*$"
)


_TIME_END = re.compile(
    r"\s+(?:(?:late|early)\s+)?(?:on|last|this)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday|week|month|year|night|morning|afternoon|evening)$|\s+(?:yesterday|today)$"
)


def _subject_clause(pre: str) -> str:
    """The clause that holds the verb's subject: after the last comma ("..., Harris said"), or
    the name before an appositive ("Lee, the Democratic Party leader, said")."""
    parts = [p.strip() for p in pre.split(",")]
    parts = [p for p in parts if _strip_filler(p)] or parts  # ", however," is no clause
    parts = [_TIME_END.sub("", _AUXILIARY_END.sub("", p)) for p in parts]
    while len(parts) > 1 and re.match(r"(?:who|which|whose)\b|[a-z]+ed\s+\S", parts[-1]):
        # "the source, who said he had spoken to people inside, told Reuters"; "the Electoral
        # Commission, which regulates ..., issued a statement warning"
        parts.pop()
        while len(parts) > 1 and re.match(r"(?:who|which|whose)\b", parts[-1]):
            parts.pop()
    k = len(parts) - 1
    j = k
    while j > 0 and _APPOSITIVE.match(parts[j]):  # appositives in a row after one name
        j -= 1
        if _is_name_clause(parts[j]) or _STUDY_SUBJECT.fullmatch(parts[j]):
            k = j
            break
    return _strip_filler(parts[k]) or parts[k]


def _strip_filler(text: str) -> str:
    """Leading connectives off a clause, all of them ("And though the CDC" -> "the CDC")."""
    while (stripped := _LEADING_FILLER.sub("", text)) != text:
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
    if cut >= 0:
        pre = pre[cut + 1 :]
    pre = _strip_filler(pre.strip(" ,:"))
    if not pre:
        return NONE
    sentence_pre = pre
    pre = _subject_clause(pre)
    spokes = _SPOKES_FOR.search(pre)
    if spokes:
        return Attribution(_trim_org(spokes.group(1)), "spokesperson", "Organization")
    if re.match(r"(?:a|an|one)\s+(?:\w+\s+)?spokes(?:man|woman|person)\b", pre, re.I):
        # "A spokesperson who did not wish to be named said": the body that spoke last
        last = register.last_speaker
        if last and last.kind == "Organization":
            return Attribution(last.claimant, "spokesperson", "Organization")
        return NONE
    owned = _OWNED_REPORT.search(pre)
    if owned and owned.end() >= len(pre.rstrip()) - 12:
        return _named(owned.group(1).strip(), "report", register)
    if _STUDY_SUBJECT.match(pre) and not _REPORT_BY.search(pre):
        return _research(register)  # "A new research paper published in ... suggests"
    if _RESEARCH_SUBJECT.search(pre) and len(pre.split(",")[-1].split()) <= 6:
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
        [m for m in _GROUP.finditer(clause) if not clause[m.end(1) :].strip()]
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
    named_body = _NAMED_LOWER_BODY.fullmatch(pre)
    caps = named_body.group(1).split()[:-1] if named_body else []
    caps = [w for w in caps if w[:1].isupper()]
    if (
        named_body
        and caps[0].lower() not in lex.NON_NAME
        and not (len(caps) == 1 and (_DEMONYM.fullmatch(caps[0]) or caps[0].lower() in lex.PLACES))
    ):  # "the Inner Mongolia health commission said": a body, not "Inner Mongolia"
        return Attribution(named_body.group(1), "organisation", "Organization")
    subject_org = [m for m in _ORG.finditer(pre) if m.end() >= len(pre.rstrip(" ,’'")) - 1]
    if subject_org:  # "the Universities and Colleges Employers' Association said": one body
        name = re.sub(r"^(?:The|A|An)\s+", "", subject_org[-1].group(1).strip())
        return Attribution(name, "organisation", "Organization")
    people = register.scan(pre)
    if people:
        return Attribution(register.add(people[-1][1]), "reported_speech")
    tail = pre[-60:]
    if _PRONOUN.search(tail.split(",")[-1]) or _ROLE.search(tail.split(",")[-1]):
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
    orgs = [m.group(1).strip() for m in _ORG.finditer(pre)]
    if orgs:
        return Attribution(orgs[-1], "organisation")
    body = _BODY.search(pre.split(",")[-1])
    if body:
        named = register.body(body.group(1)) or register.named_in_text(body.group(1), body=True)
        return Attribution(named or body.group(0), "organisation")
    pair = re.search(
        r"(?:^|\s)(?:both\s+)?([A-Z][\w&.\-]*(?:\s+[A-Z][\w&.\-]*)*)\s+and\s+[A-Z][\w&.\-]*$", pre
    )
    if pair and pair.group(1).lower() not in lex.NON_NAME:
        return _named(
            pair.group(1),
            "organisation" if _ORG.search(pair.group(1)) else "reported_speech",
            register,
        )
    group = _GROUP.findall(pre.split(",")[-1])
    if group:
        return _group_claimant(group[-1].strip(), pre, register)
    last = re.sub(r"^(?:the|The)\s+", "", pre.split(",")[-1].strip())
    if _GENERIC_PLURAL.match(last):
        return NONE
    if re.fullmatch(r"(?:[A-Z][\w\-]*(?:['’]s)?\s*){1,4}", last) and not any(
        t.lower().strip(".,") in lex.NON_NAME for t in last.split()
    ):
        # A capitalised subject that is not a known person: a country, a body, or a person named
        # by surname only ("Smith said"); the name is right either way, the kind is unknown.
        known_body = last.lower().split()[0].rstrip("’'s") in lex.PLACES
        return Attribution(last, "organisation" if known_body else "reported_speech")
    return NONE


_DEMONYM = re.compile(r"[A-Z][a-z]+(?:an|ian|ese|ish|i|ch)|U\.?S\.?|UK|EU|UN")
_BODY_QUALIFIER = {"agency", "department", "company", "ministry", "utility", "administration"}


_PROSECUTORS = re.compile(
    r"\b((?:U\.S\.|United States|[A-Z][a-z]+(?:\s+County)?)\s+[Aa]ttorney(?:[’']s\s+[Oo]ffice)?"
    r"\s+for\s+the\s+[A-Z][\w.]*(?:\s+(?:of\s+)?[A-Z][\w.]*)*"
    r"|(?:[A-Z][\w\-]*\s+)+(?:Prosecution|Prosecutor[’']s|Prosecutors[’']?)\s+(?:Authority|Office|Service))"
)


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
        and qualifiers[-1].lower() in _BODY_QUALIFIER | {"the"}
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
            or _DEMONYM.fullmatch(q)
            or q.lower() in lex.PLACES
            or _ORG_WORD.fullmatch(q)
        )
    ]
    if not proper or _GENERIC_PLURAL.match(" ".join(words)):
        return NONE
    if len(proper) == 1 and _DEMONYM.fullmatch(proper[0]) and register.officials:
        # "American officials" after "Obama administration officials": that body's officials
        return Attribution(register.officials, "coreference", "Organization")
    name = " ".join(words[words.index(proper[0]) :])
    if not (
        _DEMONYM.fullmatch(proper[0]) or proper[0].lower() in lex.PLACES or words[-1].istitle()
    ):
        name = " ".join(qualifiers[qualifiers.index(proper[0]) :])  # the body: "Con Edison"
        register.officials = name  # "the officials" later are this body's
    return Attribution(name, "reported_speech", "Organization")


_NAMED_LOWER_BODY = re.compile(
    r"(?:the\s+)?((?:[A-Z][\w\-&.]*\s+)+(?:[a-z]+\s+)?(?:ministry|commission|agency|department|"
    r"council|committee|office|police|government|court|authority|board|service))"
)


def _named_body(noun: str, text: str) -> str | None:
    """The body the article names with this noun ("the agency" -> "Roscosmos Space Agency")."""
    if noun.lower() in {"government", "police", "military", "company", "group", "party"}:
        return None  # too common to pick one
    found = re.search(rf"\b((?:[A-Z][\w\-&]*\s+)+){noun.capitalize()}\b", text)
    if (
        not found
        or found.group(1).split()[0] in {"The", "A", "An"}
        and len(found.group(1).split()) == 1
    ):
        return None
    return re.sub(r"^(?:The|A|An)\s+", "", found.group(0))


def _subject_after(post: str, register: PersonRegister) -> Attribution:
    """Inverted reporting: “...,” said Kabulov / said the official."""
    post = post.strip(" ,")[:80]
    if re.match(r"(?:the\s+)?(?:researchers|scientists|authors|study|team)\b", post, re.I):
        return _research(register)  # "..., said researchers."
    # "said chief inspector Jennifer Mattinson": lower-case titles before the name
    while (word := re.match(r"([a-z][\w\-]*)\s+", post)) and word.group(1) in lex.TITLES:
        post = post[word.end() :]
    m = re.match(r"(?:(?:he|she)\b)", post, re.IGNORECASE)
    if m or _ROLE.match(post):
        if register.last_person:
            return Attribution(register.last_person, "coreference")
        return NONE
    group = _GROUP.match(post)
    if group and re.match(r"the\s+\w+$", group.group(1), re.I):  # "..., said the officials"
        found = _group_claimant(group.group(1), post, register)
        if found.claimant:
            return found
    for _, name in register.scan(post)[:1]:
        if post.startswith(name) or re.match(r"^[A-Z]", post):
            return Attribution(register.add(name), "reported_speech")
    m = _ORG.match(re.sub(r"^(?:the|The)\s+", "", post))
    if m:
        return Attribution(m.group(1).strip(), "organisation")
    return NONE


def _according_to(text: str, register: PersonRegister) -> Attribution:
    m = _ACCORDING.search(text)
    if not m:
        return NONE
    phrase = m.group(1).strip()
    by = _REPORT_BY.search(phrase)
    if by:  # "the TexAuto Facts report from InfoNation" -> InfoNation
        return _named(by.group(1), "according_to", register)
    if _GENERIC_SOURCE.match(phrase):
        if re.search(r"\b(?:study|research|paper|survey|analysis)\b", phrase, re.IGNORECASE):
            return _research(register)
        return NONE
    owned = _OWNED_REPORT.match(phrase)
    if owned:
        return _named(owned.group(1).strip(), "according_to", register)
    group = _GROUP.fullmatch(phrase)
    if group:  # "according to Environmental Protection Department officials"
        found = _group_claimant(phrase, phrase, register)
        return Attribution(found.claimant, "according_to", found.kind) if found.claimant else NONE
    people = register.scan(phrase)
    if people:
        return Attribution(register.add(people[0][1]), "according_to")
    is_reference = _ROLE.match(phrase) or re.match(r"(?:him|her)\b", phrase)
    if is_reference and register.last_person:
        return Attribution(register.last_person, "according_to")
    phrase = re.split(r"\s+(?:on|in|at|which|who|that)\s+", phrase)[0].strip()
    if (not re.search(r"\b[A-Z]", phrase) and not _BODY.search(phrase)) or re.match(
        r"(?:a|an|some|one)\s", phrase
    ):
        return NONE  # "according to teachers unions", "to a group representing ...": no one named
    return Attribution(phrase, "according_to") if phrase else NONE


_REPORT_BY = re.compile(
    r"\b(?:reports?|study|analysis|survey|data|figures|paper|estimates?)\s+"
    r"(?:from|by|cited\s+by|published\s+by)\s+(?:the\s+)?"
    r"([A-Z][\w\-&.’']*(?:\s+(?:(?:of|for|on|and|&)\s+(?:the\s+)?)?[A-Z][\w\-&.’']*)*)"
)


_GENERIC_SOURCE = re.compile(
    r"(?:a|an|one|the|some|several|local|media|news|recent|new|court|police|official|published)?"
    r"\s*(?:[a-z\-]+\s+){0,2}(?:reports?|records?|documents?|estimates?|study|studies|"
    r"research|paper|survey|analysis|data|figures|filings?|sources?|accounts?|notes)\b",
    re.IGNORECASE,
)
_RESEARCH_FINDS = re.compile(
    r"\b(?:the|these|their|its|our|that|this)\s+(?:new\s+)?(?:researchers|scientists|"
    r"authors|team|study|paper|research|findings|analysis|report|survey)\s+(?:\w+\s+)?"
    r"(?:found|find|finds|"
    r"show|shows|showed|shown|concluded|concludes|suggests?|suggested|estimated|estimates|"
    r"reported|discovered|determined|revealed|were able)\b",
    re.IGNORECASE,
)
# What only a study reports: its findings, its participants or respondents.
_STUDY_DETAIL = re.compile(
    r"\b(?:(?:its|their|the\s+(?:study|report|paper)[’']s)\s+(?:key\s+|main\s+)?findings|"
    r"respondents|participants|(?:adults|people|children|those)\s+aged\s+\d+)\b",
    re.IGNORECASE,
)
_THEY_FOUND = re.compile(
    r"(?:^|,\s*|\bthat\s+)they\s+(?:also\s+)?(?:found|find|showed|concluded|estimated|discovered|"
    r"determined|gathered|calculated)\b",
    re.IGNORECASE,
)
_REPORT_VERB = re.compile(
    r"\s*(?:\w+\s+){0,3}?(?:says|said|claims|claimed|found|finds|shows|showed|states|stated|"
    r"concluded|concludes|estimates|estimated|suggests|suggested|warns|warned)\b"
)
_SAYS_REPORT = re.compile(
    r"(?:says|said|according to|claims|finds|found)\s+(?:a|the)\s+(?:new\s+)?"
    r"(?:report|study|analysis)\s*[.,]?\s*$",
    re.IGNORECASE,
)


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


def claimant_kind(found: Attribution, register: PersonRegister) -> str:
    """schema.org type of the claimant: "Person" or "Organization" ("" when none)."""
    name = found.claimant
    if not name:
        return ""
    if found.kind:
        return found.kind
    if name in register.full_names or register.resolve(name) != name:
        return "Person"
    if re.search(rf"\b(?:{lex.ORG_WORDS})\b", name, re.IGNORECASE) or _GROUP.fullmatch(name):
        return "Organization"
    tokens = name.split()
    if tokens[0].lower().rstrip("’'s") in lex.PLACES or name.isupper():
        return "Organization"
    if found.method in {"organisation", "according_to", "report", "spokesperson"}:
        return "Organization"
    if found.method == "coreference" and register.last_person == name:
        return "Person"
    if len(tokens) == 1:  # a person is named in full first; a lone unknown name is a body
        return "Organization"
    return "Person" if all(re.fullmatch(_NAME_PART, t) for t in tokens) else "Organization"


# Verbs that also name other things ("maintains status pages", "faces criminal charges", "was
# accused of", "called for"): speech only before a clause, a quotation or the end of the sentence.
_AMBIGUOUS_VERB = re.compile(
    r"(?:maintain|announce|describe|express|call|charge|accuse|blame|promise|vow|predict|estimate|"
    r"admit|den(?:y|ie)|reveal|disclose|report|claim|note|state|confirm|acknowledge|suggest|"
    r"believe)(?:s|d|ed|es)?"
)
_FINDING_VERB = re.compile(
    r"found|finds|find|expects|expected|forecasts?|projects|projected|recommends|recommended|advises|"
    r"advised"
)
_CLAUSE_VERB = re.compile(
    r"(?:maintain|recount|recall|testifie|testify|comment|replie|reply|respond|remark|observe|conclude|"
    r"concede|divulge)(?:s|d|ed)?"
)
_NP_OBJECT = re.compile(
    r"\s+(?:a|an|the|its|his|her|their|our|my|this|these|those|no|any|as\s+much|\d[\d,.]*)\b"
    r"(?![^.;:]*?\bthat\b)"
)
_PREP_AFTER = re.compile(r"\s*(?:with|of|for|on|off|up|in|by|against|to|into)\b")
_NAMED_JUST_BEFORE = re.compile(r"\b[A-Z][\w\-’'.]*\s+$")
_RELATIVE = re.compile(r",\s*(?:who|which)\s+(?:\w+\s+){0,3}$")
_PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?$")
_MODAL = re.compile(r"\b(?:would|could|might|should|may|can|must)\s+(?:\w+ly\s+)?$")
_NEGATED = re.compile(r"(?:\bnot|n[’']t|\bnever)\s+(?:\w+\s+)?$")
_NOUN_BEFORE = re.compile(
    r"\b(?:a|an|the|its|his|her|their|our|criminal|federal|\d[\d,]*)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)


def _reports_speech(verb: str, pre: str, post: str) -> bool:
    """Whether a speech verb reports what its subject says (not a relative clause, a passive,
    a negation or a noun)."""
    if _RELATIVE.search(pre) or _PASSIVE.search(pre) or _NEGATED.search(pre):
        return False
    if _MODAL.search(pre):  # "Few would argue against ...": nobody is saying it
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
    if _FINDING_VERB.fullmatch(verb):  # "found that ...", "Edmunds expects 16.6 million ... will"
        return bool(
            clause_follows
            or re.match(r"\s+(?:they|it|he|she|we)\b", post)
            or re.match(r"\s+(?:\S+\s+){1,8}?(?:will|would|to be|should|get)\b", post)
        )
    if _CLAUSE_VERB.fullmatch(verb):  # "he responded quickly" reports nothing
        return bool(clause_follows or re.search(r"[”\"]\s*,?\s*$", pre))
    if _AMBIGUOUS_VERB.fullmatch(verb):
        if clause_follows:
            return True
        if (_PREP_AFTER.match(post) and not _NAMED_JUST_BEFORE.search(pre)) or (
            _NP_OBJECT.match(post) and not verb.startswith("accuse")
        ):
            return False
        if _NOUN_BEFORE.search(pre) and not re.search(r"[A-Z]\S*\s+$", pre):
            return False
    return True


def _attribute_one(text: str, quote_mask: list[bool], register: PersonRegister) -> Attribution:
    masked = _mask_quotes(text, quote_mask)
    found = _according_to(masked, register)
    if found.claimant:
        # "..., the Inner Mongolia health commission said, according to Reuters": the speaker,
        # whom the outlet only relays
        spoken = _speech_verb_claimant(masked, register)
        if spoken.claimant and spoken.method in {"reported_speech", "organisation"}:
            return spoken
    if found.claimant or found is PENDING_RESEARCH:
        return found
    if (register.research_lead or register.study_named) and _STUDY_DETAIL.search(masked):
        return _research(register)  # "its key findings", "respondents aged 12 to 17"
    if _RESEARCH_FINDS.search(masked) or (
        register.research_lead and _THEY_FOUND.search(masked)
    ):  # "the researchers found", and "they found" once a study's author is named
        return _research(register)
    owned = _OWNED_REPORT.search(masked)
    if owned and _REPORT_VERB.match(masked[owned.end() :]):
        return _named(owned.group(1).strip(), "report", register)
    says_report = _SAYS_REPORT.search(masked)
    if says_report and register.organisations:
        return Attribution(register.organisations[-1], "report", "Organization")
    return _speech_verb_claimant(masked, register)


def _speech_verb_claimant(masked: str, register: PersonRegister) -> Attribution:
    """The subject of the first reporting verb that reports speech, before or after it."""
    for m in _VERB.finditer(masked):
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


_SOURCE_METHODS = {"according_to", "report", "research"}
_FOUND_THAT = re.compile(r"\b(?:found|finds|estimated|estimates|reported|calculated)\s+that\b")
_SOURCE_AT_END = re.compile(r",\s+(?:according to|says|said|reports|reported)\s[^;:“”\"]*$")
_CONTINUES = re.compile(r"(?:In turn|Additionally|Moreover|Furthermore|In addition|Also),")
_FINDING_LIKE = re.compile(r"\d|^(?:Additionally|Overall|In turn|Moreover|Also)\b")


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
        return not results[i].claimant and not (skip and skip[i]) and _FINDING_LIKE.search(sentence)

    for i in range(1, n):
        prev = results[i - 1]
        is_source = prev.method in _SOURCE_METHODS or (
            prev.claimant and _FOUND_THAT.search(text[spans[i - 1][0] : spans[i - 1][1]])
        )
        sentence = text[spans[i][0] : spans[i][1]].lstrip()
        joined = para[i] == para[i - 1] or _CONTINUES.match(sentence)  # "In turn, ..."
        if joined and is_source and open_slot(i):
            results[i] = Attribution(prev.claimant, "finding_continued", prev.kind)
    for j in range(n - 1, 0, -1):
        if results[j].method not in {"according_to", "report"}:
            continue
        if not _SOURCE_AT_END.search(text[spans[j][0] : spans[j][1]]):
            continue
        if j + 1 < n and para[j + 1] == para[j]:
            continue  # the source closes the paragraph
        i = j - 1
        while i >= 0 and para[i] == para[j] and open_slot(i):
            results[i] = Attribution(results[j].claimant, "finding_continued", results[j].kind)
            i -= 1


_SPEAKER_METHODS = {
    "research",
    "quotation",
    "quotation_continued",
    "reported_speech",
    "coreference",
    "organisation",
    "spokesperson",
}


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
        found = _attribute_one(sentence, in_quote[start:end], register)
        has_quote = _overlaps(quotes, quote_starts, start, end)
        if found.claimant and has_quote and found.method == "reported_speech":
            found = Attribution(found.claimant, "quotation", found.kind)
        if found.claimant:
            found = Attribution(found.claimant, found.method, claimant_kind(found, register))
            if found.method != "research":
                register.last_speaker = found
        results.append(found)
        # Names anywhere in the sentence (outside quotations) become candidates for later
        # "he", "the official"; the claimant stays the most recent when it is named last.
        masked = _mask_quotes(sentence, in_quote[start:end])
        names = register.scan(masked)
        for _, name in names:
            register.add(name)
        if _RESEARCH_CONTEXT.search(masked):
            # The study's authors: names here count even after "by" ("led by Michael Shadlen").
            authors = [
                _clean_name(m.group(0))
                for m in _NAME_SEQ.finditer(masked)
                if not _NOT_AUTHOR.search(m.group(0))
                and masked[: m.start()].split()[-1:] not in [[p] for p in lex.PREPOSITIONS - {"by"}]
            ]
            authors = [a for a in authors if a and len(a.split()) >= 2]
            research_orgs = [m.group(1).strip() for m in _ORG.finditer(masked)]
            if research_orgs and not register.research_org:
                register.research_org = research_orgs[0]
            if authors:
                register.research_lead = register.add(authors[0])
            elif names:
                register.research_lead = register.resolve(names[0][1])
        register.organisations.extend(m.group(1).strip() for m in _ORG.finditer(masked))
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
            and prev.method in _SPEAKER_METHODS
            and not (skip and skip[i])
            and text[spans[i][0] : spans[i][1]].lstrip()[:1] in {"“", '"'}
        ):
            results[i] = Attribution(prev.claimant, "quotation_continued", prev.kind)
    return results
