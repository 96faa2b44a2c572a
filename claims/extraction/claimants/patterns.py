"""Patterns and word lists the claimant rules share (compiled once)."""

from __future__ import annotations

import re

from .. import lexicon as lex

VERB = re.compile(rf"(?<![-\w])(?:{lex.SPEECH_VERBS})\b")  # not "so-called"
ACCORDING = re.compile(r"\baccording to\s+([^,.;:()“”\"]+)", re.IGNORECASE)

ORG = re.compile(
    rf"((?:[A-Z][\w\-&]*(?:['’]s|(?<=s)['’])?\s+(?:(?:of|for|and|&)\s+(?:the\s+)?)?)*"
    rf"(?:{lex.ORG_WORDS})\b(?:\s+(?:of|for|on)\s+(?:the\s+)?[A-Z][\w\-]*"
    rf"(?:\s+(?:(?:and|&)\s+)?[A-Z][\w\-]*)*)?)"
)
# "a spokesperson for the Home Office said" -> the Home Office.
SPOKES_FOR = re.compile(
    r"\b(?:[Aa]n?|[Tt]he|[Oo]ne)\s+(?:[a-z]+\s+)?spokes(?:man|woman|person|people)\s+(?:for|of|at)\s+"
    r"(?:the\s+)?([A-Z][\w\-&.’']*(?:\s+(?:(?:and|of|for|on|&)\s+(?:the\s+)?)?[A-Z][\w\-&.’']*)*)"
)
# "the Rhodium Group's report says", "Stanford's analysis found" -> the owner.
OWNED_REPORT = re.compile(
    r"((?:[A-Z][\w\-&.]*\s+(?:(?:of|for|and|on)\s+(?:the\s+)?)?)*[A-Z][\w\-&.]*)['’]s?\s+"
    r"(?:own\s+)?(?:new\s+|latest\s+|annual\s+)?(?:report|study|analysis|survey|research|data|"
    r"figures|estimate|estimates|review|investigation|paper|poll)\b"
)
# Research subjects that stand for the study's named authors or its institution.
RESEARCH_SUBJECT = re.compile(
    r"\b(?:the|these|our|its|their)?\s*(?:researchers|scientists|authors|team|study|paper|research|"
    r"report|analysis|survey|findings)\s*$",
    re.IGNORECASE,
)
# A sentence that names a study's authors or its institution ("Senior author Dr. Silvia S.
# Martins", "the scientists were led by Michael Shadlen", "a new report ... by Stanford's Center").
STUDY_SUBJECT = re.compile(
    r"(?:a|an|the|this|that)\s+(?:(?:new|recent|latest)\s+)?(?:research\s+)?"
    r"(?:study|paper|report|survey|analysis|research)\b",
    re.IGNORECASE,
)
RESEARCH_CONTEXT = re.compile(
    r"\b(?:study|studies|research|paper|report|survey|analysis|findings|author|authors|journal|"
    r"led\s+by)\b",
    re.IGNORECASE,
)
# A bare plural with no one named ("Others", "Critics said") is no claimant.
GENERIC_PLURAL = re.compile(
    r"^(?:some\s+|many\s+|other\s+|most\s+)?(?:others|critics|opponents|supporters|observers|"
    r"experts|analysts|officials|sources|people|residents|witnesses|activists|protesters|"
    r"campaigners|some|many|few|several|they)$",
    re.IGNORECASE,
)
NAME_PART = (
    r"(?:[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:[-’'][A-Za-z]+)?|[A-Z]\."
    r"|(?:al|el|bin|ibn|van|von|de|da|di|le)-[A-Z][a-z]+)"
)
NAME_SEQ = re.compile(
    rf"{NAME_PART}(?:\s+(?:(?:al|bin|ibn|van|von|de|da|di|du|le|la|abu)\s+)?{NAME_PART})*"
)
ROLE_OF_TITLE = {
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
NOT_NAME_WORDS = lex.TITLES | lex.PLACES | lex.NON_NAME
ORG_WORD = re.compile(rf"(?:{lex.ORG_WORDS})")
PRONOUN = re.compile(r"\b(he|she)\b", re.IGNORECASE)
ROLE = re.compile(
    rf"\b(?:the|this|that|his|her)\s+(?:[a-z]+\s+){{0,2}}(?:{lex.ROLE_NOUNS})\b", re.IGNORECASE
)
GROUP = re.compile(
    r"((?:[A-Z][\w\-&.]*\s+)*(?:[a-z]+\s+)?(?i:officials|authorities|sources|experts|analysts|"
    r"diplomats|officers|lawmakers|leaders|researchers|scientists|doctors|witnesses|residents|"
    r"critics|opponents|supporters|activists|protesters|observers|investigators|prosecutors|"
    r"economists|campaigners|rebels|militants|medics|rescuers|organi[sz]ers|police))\b"
)
BODY = re.compile(
    r"\bthe\s+(?:(?!same\b|other\b|whole\b|entire\b|first\b|new\b|two\b|three\b)[\w\-]+\s+)"
    r"{0,2}?(ministry|government|company|agency|army|police|department|embassy|council|"
    r"committee|commission|military|court|party|white house|kremlin|pentagon|office|bank|"
    r"organi[sz]ation|group)\b",
    re.IGNORECASE,
)
# A surname after a title ("Mr. Johnson", "President Putin") is a person even when it is the
# article's first mention.
TITLED = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gen|Col|Gov|Lt|Capt|Sgt|Adm|Maj)\.\s*"
    r"([A-Z][\w\-’']+(?:\s+[A-Z][\w\-’']+)*)"
    r"|\b(?:President|Minister|Senator|Governor|General|Colonel|Ambassador|Chancellor|Premier|"
    r"Secretary|Mayor|Judge|Spokesman|Spokeswoman|Envoy|Commander)\s+([A-Z][\w\-’']+)\b(?!\s+[A-Z])"
)
LEADING_FILLER = re.compile(
    r"^(?:also|meanwhile|however|but|and|yet|separately|earlier|later|moreover|in addition|"
    r"while|whereas|now|though|although|still|since|when|as|if|so|then|instead)\b"
    r"[\s,]*",
    re.IGNORECASE,
)


# "Lukas Stefanko with ESET": a researcher and the company they research for (not a university:
# a study's academic authors speak for themselves).
AFFILIATED = re.compile(
    rf"{NAME_PART}\s+{NAME_PART}\s+(?:with|at|from)\s+(?:the\s+)?([A-Z][\w&.\-]*(?:\s+[A-Z][\w&.\-]*)*)"
)
# A body that opens a sentence: "Customs and Border Protection, part of ..., did not accept".
BODY_OPENING = re.compile(
    r"^\s*(?:The\s+)?([A-Z][\w&\-]*(?:\s+(?:and|of|for|&)\s+|\s+)[A-Z][\w&\-]*"
    r"(?:\s+(?:(?:and|of|for|&)\s+)?[A-Z][\w&\-]*){0,4})"
    r"(?=,|\s+(?:has|have|had|did|does|is|was|said|says|announced|declined)\b)"
)
# Bare "researchers" as the subject of a finding ("In addition to ..., researchers found ...").
RESEARCHERS_FIND = re.compile(
    r"(?:^|,\s*)[Rr]esearchers\s+(?:have\s+|had\s+)?(?:also\s+)?(?:found|discovered|spotted|"
    r"observed|say|said|warned|are\s+warning|reported)\b"
)
ACADEMIC = re.compile(
    r"\b(?:University|College|Institute|School|Cent(?:er|re)|Hospital|Department|Laborator(?:y|ies)|"
    r"Academy|Foundation|Society|Journal|Ph\.?D)\b"
)
# Capitalised runs in a study's description that are not its authors ("National Survey").
NOT_AUTHOR = re.compile(
    r"\b(?:Survey|Study|Journal|Report|Review|Research|Index|Database|Data|Health|Science|"
    r"Nature|Agreement|Act|Bill|Law|Landscapes?|Peoples?|Programme|Program|Project)\b"
)


APPOSITIVE = re.compile(
    rf"(?:a|an|the)\s|(?:supported|published|led|funded|conducted|written|released)\s+by\b|\d+$|[A-Z][\w&.\-]*[’']s\s|(?:{'|'.join(sorted(lex.TITLES))})\b",
    re.I,
)


def is_name_clause(part: str) -> bool:
    """Whether a clause is only a (titled) name: "Lee", "Senior author Dr. Silvia S. Martins"."""
    words = part.split()
    return (
        bool(words)
        and words[-1][:1].isupper()
        and all(w[:1].isupper() or w.lower().strip(".") in lex.TITLES for w in words)
    )


AUXILIARY_END = re.compile(
    r"\s+(?:has|have|had|was|were|is|also|reportedly|once|previously|further)\s*$"
)


TIME_END = re.compile(
    r"\s+(?:(?:late|early)\s+)?(?:on|last|this)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday|week|month|year|night|morning|afternoon|evening)$|\s+(?:yesterday|today)$"
)


DEMONYM = re.compile(r"[A-Z][a-z]+(?:an|ian|ese|ish|i|ch)|U\.?S\.?|UK|EU|UN")
BODY_QUALIFIER = {"agency", "department", "company", "ministry", "utility", "administration"}


PROSECUTORS = re.compile(
    r"\b((?:U\.S\.|United States|[A-Z][a-z]+(?:\s+County)?)\s+[Aa]ttorney(?:[’']s\s+[Oo]ffice)?"
    r"\s+for\s+the\s+[A-Z][\w.]*(?:\s+(?:of\s+)?[A-Z][\w.]*)*"
    r"|(?:[A-Z][\w\-]*\s+)+(?:Prosecution|Prosecutor[’']s|Prosecutors[’']?)\s+(?:Authority|Office|Service))"
)


NAMED_LOWER_BODY = re.compile(
    r"(?:the\s+)?((?:[A-Z][\w\-&.]*\s+)+(?:[a-z]+\s+)?(?:ministry|commission|agency|department|"
    r"council|committee|office|police|government|court|authority|board|service))"
)


REPORT_BY = re.compile(
    r"\b(?:reports?|study|analysis|survey|data|figures|paper|estimates?)\s+"
    r"(?:from|by|cited\s+by|published\s+by)\s+(?:the\s+)?"
    r"([A-Z][\w\-&.’']*(?:\s+(?:(?:of|for|on|and|&)\s+(?:the\s+)?)?[A-Z][\w\-&.’']*)*)"
)


GENERIC_SOURCE = re.compile(
    r"(?:a|an|one|the|some|several|local|media|news|recent|new|court|police|official|published)?"
    r"\s*(?:[a-z\-]+\s+){0,2}(?:reports?|records?|documents?|estimates?|study|studies|"
    r"research|paper|survey|analysis|data|figures|filings?|sources?|accounts?|notes)\b",
    re.IGNORECASE,
)
RESEARCH_FINDS = re.compile(
    r"\b(?:the|these|their|its|our|that|this)\s+(?:new\s+)?(?:researchers|scientists|"
    r"authors|team|study|paper|research|findings|analysis|report|survey)\s+(?:\w+\s+)?"
    r"(?:found|find|finds|"
    r"show|shows|showed|shown|concluded|concludes|suggests?|suggested|estimated|estimates|"
    r"reported|discovered|determined|revealed|were able)\b",
    re.IGNORECASE,
)
# What only a study reports: its findings, its participants or respondents.
STUDY_DETAIL = re.compile(
    r"\b(?:(?:its|their|the\s+(?:study|report|paper)[’']s)\s+(?:key\s+|main\s+)?findings|"
    r"respondents|participants|(?:adults|people|children|those)\s+aged\s+\d+)\b",
    re.IGNORECASE,
)
THEY_FOUND = re.compile(
    r"(?:^|,\s*|\bthat\s+)they\s+(?:also\s+)?(?:found|find|showed|concluded|estimated|discovered|"
    r"determined|gathered|calculated)\b",
    re.IGNORECASE,
)
REPORT_VERB = re.compile(
    r"\s*(?:\w+\s+){0,3}?(?:says|said|claims|claimed|found|finds|shows|showed|states|stated|"
    r"concluded|concludes|estimates|estimated|suggests|suggested|warns|warned)\b"
)
SAYS_REPORT = re.compile(
    r"(?:says|said|according to|claims|finds|found)\s+(?:a|the)\s+(?:new\s+)?"
    r"(?:report|study|analysis)\s*[.,]?\s*$",
    re.IGNORECASE,
)


# Verbs that also name other things ("maintains status pages", "faces criminal charges", "was
# accused of", "called for"): speech only before a clause, a quotation or the end of the sentence.
AMBIGUOUS_VERB = re.compile(
    r"(?:maintain|announce|describe|express|call|charge|accuse|blame|promise|vow|predict|estimate|"
    r"admit|den(?:y|ie)|reveal|disclose|report|claim|note|state|confirm|acknowledge|suggest|"
    r"believe)(?:s|d|ed|es)?"
)
FINDING_VERB = re.compile(
    r"found|finds|find|expects|expected|forecasts?|projects|projected|recommends|recommended|advises|"
    r"advised"
)
CLAUSE_VERB = re.compile(
    r"(?:maintain|recount|recall|testifie|testify|comment|replie|reply|respond|remark|observe|conclude|"
    r"concede|divulge)(?:s|d|ed)?"
)
NP_OBJECT = re.compile(
    r"\s+(?:a|an|the|its|his|her|their|our|my|this|these|those|no|any|as\s+much|\d[\d,.]*)\b"
    r"(?![^.;:]*?\bthat\b)"
)
PREP_AFTER = re.compile(r"\s*(?:with|of|for|on|off|up|in|by|against|to|into)\b")
NAMED_JUST_BEFORE = re.compile(r"\b[A-Z][\w\-’'.]*\s+$")
RELATIVE = re.compile(r",\s*(?:who|which)\s+(?:\w+\s+){0,3}$")
PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?$")
MODAL = re.compile(r"\b(?:would|could|might|should|may|can|must)\s+(?:\w+ly\s+)?$")
NEGATED = re.compile(r"(?:\bnot|n[’']t|\bnever)\s+(?:\w+\s+)?$")
NOUN_BEFORE = re.compile(
    r"\b(?:a|an|the|its|his|her|their|our|criminal|federal|\d[\d,]*)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)


SOURCE_METHODS = {"according_to", "report", "research"}
FOUND_THAT = re.compile(r"\b(?:found|finds|estimated|estimates|reported|calculated)\s+that\b")
SOURCE_AT_END = re.compile(r",\s+(?:according to|says|said|reports|reported)\s[^;:“”\"]*$")
CONTINUES = re.compile(r"(?:In turn|Additionally|Moreover|Furthermore|In addition|Also),")
# Reported speech that ends on its speaker: "..., he added.", "..., the authors said."
SAID_AT_END = re.compile(
    r",\s+(?:(?:[\w.’'\-]+\s+){0,6}(?:said|says|added|adds|explained|noted|wrote)|"
    r"(?:said|says|added|adds|explained|noted|wrote)\s+[^,;:]{1,60}?)\.?\s*$"
)
# The signature line that closes an embedded tweet: "— Dave Schukin (@schukin) July 3, 2019".
TWEET_SIGNATURE = re.compile(
    r"^\s*[—–-]\s*([^()\n]+?)\s*\(@\w+\)\s+[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4}\s*$",
    re.MULTILINE,
)
TWITTER_MENTION = re.compile(r"\btwitter\b(?!\.com)|\btweet", re.IGNORECASE)
FIRST_PERSON = re.compile(r"\b(?:I|we|our|us|my|me)\b", re.IGNORECASE)
FINDING_LIKE = re.compile(r"\d|^(?:Additionally|Overall|In turn|Moreover|Also)\b")


SPEAKER_METHODS = {
    "research",
    "quotation",
    "quotation_continued",
    "reported_speech",
    "coreference",
    "organisation",
    "spokesperson",
}
