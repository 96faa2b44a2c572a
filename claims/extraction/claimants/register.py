"""The register of who an article has named so far, and the Attribution each sentence gets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import lexicon as lex
from .patterns import (
    GROUP,
    NAME_PART,
    NAME_SEQ,
    NOT_NAME_WORDS,
    ORG_WORD,
    PROSECUTORS,
    ROLE_OF_TITLE,
    TITLED,
)


@dataclass(frozen=True)
class Attribution:
    claimant: str | None
    method: str
    kind: str = ""  # "Person" or "Organization" (schema.org types); "" when no claimant


NONE = Attribution(None, "")
PENDING_RESEARCH = Attribution(None, "research_pending")


def clean_name(seq: str) -> str | None:
    """The person name at the end of a capitalised run, after any title, place or body words
    ("Indiana State Teachers Association President Keith Gambill" -> "Keith Gambill"), or None."""
    tokens = seq.split()
    low = [t.lower().strip(".’'") for t in tokens]
    cut = max(
        (i + 1 for i, t in enumerate(low) if t in NOT_NAME_WORDS or ORG_WORD.fullmatch(tokens[i])),
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
        self.body_before: str | None = None  # a body that opens the sentence before this one
        self.research_firm: str | None = None  # a company whose researcher is named ("with ESET")
        self.officials: str | None = None  # "Con Edison officials": for a later "the officials"
        self.common_words: set[str] = set()  # the article's lower-case words ("opposition")
        self.text = ""
        self._named: dict[tuple[str, bool], str | None] = {}
        self.study_named = False  # a study was cited, its author perhaps not named yet
        self.roles: dict[str, str] = {}  # "governor" -> "Eric Holcomb", from "Gov. Eric Holcomb"
        self._called_organisation: dict[str, bool] = {}

    def called_organisation(self, name: str) -> bool:
        """named_as_organisation over the article's text, once per name (the text is long)."""
        if name not in self._called_organisation:
            self._called_organisation[name] = named_as_organisation(name, self.text)
        return self._called_organisation[name]

    def named_in_text(self, noun: str, body: bool = False) -> str | None:
        """The name the article gives a group or body anywhere in its text, looked up once per
        article: "prosecutors" -> the prosecuting office, "doctors" -> "Doctors for Camp Closure",
        "agency" (body) -> "Roscosmos Space Agency"."""
        key = (noun.lower(), body)
        if key not in self._named:
            if body:
                self._named[key] = _named_body(noun, self.text)
            elif key[0] == "prosecutors":
                found = PROSECUTORS.search(self.text)
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

    def same_body(self, name: str) -> str:
        """The name an organisation was first given, when `name` reorders its words: "the
        Environmental Protection Department" -> "Department of Environmental Protection"."""
        words = _content_words(name)
        for org in self.organisations:
            org_words = _content_words(org)
            if len(words) > 1 and org_words == words:
                return org
        return name

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
        for m in NAME_SEQ.finditer(text):
            name = clean_name(m.group(0))
            if not name:
                continue
            if len(name.split()) < 2 and self.resolve(name) == name:
                continue
            prev = text[: m.start()].split()
            if prev and prev[-1].lower() in lex.PREPOSITIONS:
                continue
            if prev and ORG_APPOSITIVE.fullmatch(prev[-1]):
                continue  # "rescue group Project Jonah": an organisation, not a person
            found.append((m.start() + m.group(0).find(name), name))
        for m in TITLED.finditer(text):
            name = m.group(1) or m.group(2)
            title = m.group(0).split()[0].strip(".").lower()
            if m.group(1) and len(name.split()) >= 2 and title in ROLE_OF_TITLE:
                # "Gov. Eric Holcomb": the governor (the first one named is the article's)
                self.roles.setdefault(ROLE_OF_TITLE[title], name)
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


def _content_words(name: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"[\w’'&]+", name)} - {"of", "the", "for", "and"}


ORG_APPOSITIVE = re.compile(rf"(?:{lex.ORG_APPOSITIVES})", re.IGNORECASE)


# The noun heads the appositive: "Luz Contreras Arroyo, a member of the group" is a person.
_APPOSITIVE_WORDS = r"(?:(?!(?i:of|at|in|for|with|from|on|and|to|by|who|which|whose)\b)[\w’'-]+\s+)"
_ORG_BEFORE = re.compile(rf"\b(?i:{lex.ORG_APPOSITIVES})\s+$")
_ORG_AFTER = re.compile(
    rf",\s+(?i:a|an|the)\s+{_APPOSITIVE_WORDS}{{0,5}}?(?i:{lex.ORG_APPOSITIVES})\b"
)


def named_as_organisation(name: str, text: str) -> bool:
    """The article calls `name` a group, company, charity...: "rescue group Project Jonah",
    "Project Jonah, a rescue group", "Project Jonah, the country's largest rescue charity"."""
    if not text or not name:
        return False
    for m in re.finditer(re.escape(name), text):
        after = text[m.end() : m.end() + 120]
        if after[:1].isalnum() or (m.start() and text[m.start() - 1].isalnum()):
            continue  # part of a longer word
        if _ORG_BEFORE.search(text[max(0, m.start() - 40) : m.start()]) or _ORG_AFTER.match(after):
            return True
    return False


def claimant_kind(found: Attribution, register: PersonRegister) -> str:
    """schema.org type of the claimant: "Person" or "Organization" ("" when none)."""
    name = found.claimant
    if not name:
        return ""
    if found.kind:
        return found.kind
    if register.called_organisation(name):
        return "Organization"
    if name in register.full_names or register.resolve(name) != name:
        return "Person"
    if re.search(rf"\b(?:{lex.ORG_WORDS})\b", name, re.IGNORECASE) or GROUP.fullmatch(name):
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
    return "Person" if all(re.fullmatch(NAME_PART, t) for t in tokens) else "Organization"
