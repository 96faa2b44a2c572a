"""The assignment policy, in one readable place.

Who may take a claim (every rule gives a reason a person can read when it says no):
  1. an active fact-checker,
  2. available and not away,
  3. under capacity (open assignments < capacity),
  4. speaks the claim's language,
  5. did not write the article (the byline, `Article.author`, names them),
  6. has not had this claim before and given it up: declined it, let it expire, or was taken
     off it by an editor.

Every assignment asks it, whoever makes it (the scheduler, an editor on the claim page, the bulk
bar, the API, the reviewers pages, commands): the reviewers app listens to the workflow's
`claim_assigning` signal (receivers.py) and refuses what the policy refuses. An editor may
override rules 1-4 and 6 only with an explicit "assign anyway" and a reason, both recorded in the
claim's history; rule 5 (authorship) is never overridden.

Among those eligible: most topic matches first, then the lowest current load, then the longest
since their last assignment (fair rotation), then the lowest user id (a stable tie-break).

The services lock the chosen reviewer's profile and read the load again under the lock before
assigning: this module only reads, so a choice can be stale by the time it is used.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import F, Q
from django.utils import timezone

from claims import permissions
from claims.models import Claim

from .models import Assignment, ReviewerProfile

# The one rule no editor can override: nobody checks an article they wrote.
AUTHORSHIP = "wrote the article"

# Earlier assignments of a claim that keep their reviewer from getting it again automatically.
GAVE_UP = {
    Assignment.State.DECLINED: "declined this claim",
    Assignment.State.EXPIRED: "let this claim expire",
    Assignment.State.ENDED: "was taken off this claim by an editor",
}


@dataclass(frozen=True)
class ClaimFacts:
    """What the policy needs to know about a claim, loaded once."""

    claim_id: int
    language: str
    topics: frozenset[str]
    byline: str
    gave_up: dict[int, str] = field(default_factory=dict)  # user id -> why


@dataclass(frozen=True)
class Candidate:
    """One reviewer judged against one claim."""

    profile: ReviewerProfile
    load: int
    topic_matches: tuple[str, ...]
    refusals: tuple[str, ...]  # empty: eligible

    @property
    def eligible(self) -> bool:
        return not self.refusals

    @property
    def username(self) -> str:
        return self.profile.user.get_username()

    @property
    def reason(self) -> str:
        """Why this person: recorded on the Assignment and shown on the claim page."""
        topics = ", ".join(self.topic_matches) if self.topic_matches else "none matched"
        return f"topic: {topics}; load {self.load}/{self.profile.capacity}"


# --- Facts ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)  # the same names and bylines, judged claim after claim
def _normalise_name(text: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return tuple(re.findall(r"[^\W_]+", text))


def wrote_article(full_name: str, byline: str) -> bool:
    """True when the person's full name appears, word for word, in the article's byline.

    "By Chris Checker and Ana Ruiz" names "Chris Checker" (case and accents ignored); a user
    without a full name, or an article without a byline, never matches.
    """
    name, words = _normalise_name(full_name), _normalise_name(byline)
    if not name or not words:
        return False
    n = len(name)
    return any(words[i : i + n] == name for i in range(len(words) - n + 1))


def speaks(profile: ReviewerProfile, language: str) -> bool:
    """The claim's language (or its main part: "en" for "en-GB") is in the profile's list."""
    language = (language or "").strip().lower()
    spoken, main = _spoken(profile)
    return language in spoken or language.split("-")[0] in main


def _spoken(profile: ReviewerProfile) -> tuple[frozenset[str], frozenset[str]]:
    """The profile's languages and their main parts, worked out once per loaded profile."""
    cached = getattr(profile, "_policy_spoken", None)
    if cached is None or cached[0] != profile.languages:
        codes = frozenset(profile.language_list)
        cached = (profile.languages, codes, frozenset(c.split("-")[0] for c in codes))
        profile._policy_spoken = cached
    return cached[1], cached[2]


def _topic_slugs(profile: ReviewerProfile) -> frozenset[str]:
    """The profile's topics (prefetched), as slugs, once per loaded profile."""
    cached = getattr(profile, "_policy_topics", None)
    if cached is None:
        cached = profile._policy_topics = frozenset(t.slug for t in profile.topics.all())
    return cached


def facts_for(
    claims: Iterable[Claim], gave_up_rows: Iterable[tuple[int, int, str]] | None = None
) -> dict[int, ClaimFacts]:
    """Facts for many claims in two queries (claims need `article` and prefetched `topics`).
    `gave_up_rows`: their earlier assignments in a GAVE_UP state, (claim id, reviewer id,
    state) by assignment time, where the caller has read them already (no query then)."""
    claims = list(claims)
    gave_up: dict[int, dict[int, str]] = defaultdict(dict)
    rows = gave_up_rows
    if rows is None:
        rows = (
            Assignment.objects.filter(claim_id__in=[c.pk for c in claims], state__in=list(GAVE_UP))
            .order_by("assigned_at")
            .values_list("claim_id", "reviewer_id", "state")
        )
    for claim_id, reviewer_id, state in rows:
        gave_up[claim_id][reviewer_id] = GAVE_UP[state]
    return {
        c.pk: ClaimFacts(
            claim_id=c.pk,
            language=c.language,
            topics=frozenset(t.slug for t in c.topics.all()),
            byline=c.article.author,
            gave_up=gave_up.get(c.pk, {}),
        )
        for c in claims
    }


def facts_of(claim_id: int) -> ClaimFacts:
    claim = Claim.objects.select_related("article").prefetch_related("topics").get(pk=claim_id)
    return facts_for([claim])[claim.pk]


def _can_work_claims():
    return permissions.holds_permission("claims.work_claim", user="user")


def active(via: str = "") -> Q:
    """The one definition of a reviewer's load: the assignments still active. `via` is the path
    from the queried model to the assignments ("" on Assignment, "user__assignments" on a
    profile, "assignments" on a claim). `ReviewerProfile.load` is this count, kept by database
    triggers (reviewers migration 0007), so that ranking and locking never count."""
    return Q(**{f"{via}__state" if via else "state": Assignment.State.ACTIVE})


def profiles(*, only_possible: bool) -> list[ReviewerProfile]:
    """Reviewer profiles with `is_fact_checker` (two queries, whatever the count); `load` is
    the profile's own counter.

    only_possible: leave out in SQL those that fail a rule that does not depend on the claim
    (inactive, not a fact-checker, unavailable, away, full), as the scheduler does.
    """
    today = timezone.localdate()
    qs = (
        ReviewerProfile.objects.select_related("user")
        .prefetch_related("topics")
        .annotate(is_fact_checker=_can_work_claims())
        .order_by("user_id")
    )
    if only_possible:
        qs = qs.filter(
            Q(away_until__isnull=True) | Q(away_until__lt=today),
            available=True,
            user__is_active=True,
            is_fact_checker=True,
            load__lt=F("capacity"),
        )
    return list(qs)


# --- Judgement ------------------------------------------------------------------------------


def refusals(profile: ReviewerProfile, load: int, facts: ClaimFacts, today: date) -> list[str]:
    """Every rule this reviewer fails for this claim, in words; empty when eligible."""
    user, why = profile.user, []
    if not user.is_active:
        why.append("account is inactive")
    if not getattr(profile, "is_fact_checker", True):
        why.append("is not a fact-checker")
    if not profile.available:
        why.append("is marked unavailable")
    elif profile.away_until is not None and profile.away_until >= today:
        why.append(f"is away until {profile.away_until:%Y-%m-%d}")
    if load >= profile.capacity:
        why.append(f"is at capacity ({load}/{profile.capacity})")
    if not speaks(profile, facts.language):
        why.append(f"does not list the claim's language ({facts.language})")
    if wrote_article(user.get_full_name(), facts.byline):
        why.append(AUTHORSHIP)
    if user.pk in facts.gave_up:
        why.append(facts.gave_up[user.pk])
    return why


def judge(facts: ClaimFacts, pool: Iterable[ReviewerProfile], today: date | None = None):
    """Every reviewer in the pool judged for the claim: the eligible ranked first, best first."""
    today = today or timezone.localdate()
    judged = []
    for profile in pool:
        load = profile.load
        matches = tuple(sorted(facts.topics & _topic_slugs(profile)))
        judged.append(
            Candidate(
                profile=profile,
                load=load,
                topic_matches=matches,
                refusals=tuple(refusals(profile, load, facts, today)),
            )
        )
    oldest = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    judged.sort(
        key=lambda c: (
            not c.eligible,
            -len(c.topic_matches),
            c.load,
            c.profile.last_assigned_at or oldest,
            c.profile.user_id,
        )
    )
    return judged


def rank(facts: ClaimFacts, pool: Iterable[ReviewerProfile]) -> list[Candidate]:
    """The eligible reviewers for a claim, best first."""
    return [c for c in judge(facts, pool) if c.eligible]


# --- Explanations for editors ---------------------------------------------------------------


def _by_name(candidate: Candidate) -> str:
    return candidate.username.casefold()


def explain(facts: ClaimFacts, pool: Iterable[ReviewerProfile]) -> str:
    judged = judge(facts, pool)
    if not judged:
        return "Nobody can take it: there are no reviewer profiles yet. Add fact-checkers first."
    eligible = [c for c in judged if c.eligible]
    if eligible:
        best = eligible[0]
        return (
            f"Waiting for the next assignment run (every minute): {best.username} is next "
            f"({best.reason})."
        )
    parts = [f"{c.username} {'; '.join(c.refusals)}" for c in sorted(judged, key=_by_name)]
    return "Nobody is eligible: " + ". ".join(parts) + "."


def why_unassigned_many(
    claims: Iterable[Claim],
    *,
    pool: list[ReviewerProfile] | None = None,
    gave_up_rows: Iterable[tuple[int, int, str]] | None = None,
) -> dict[int, str]:
    """Why each open claim has no reviewer, in a constant number of queries.

    Claims need `article` selected and `topics` prefetched. `pool`: every reviewer profile as
    `profiles(only_possible=False)` gives them (user selected, topics prefetched, `load` and
    `is_fact_checker` set), when the caller has loaded them already; read here otherwise.
    `gave_up_rows`: see `facts_for`.
    """
    claims = list(claims)
    if not claims:
        return {}
    facts = facts_for(claims, gave_up_rows)
    if pool is None:
        pool = profiles(only_possible=False)
    return {c.pk: explain(facts[c.pk], pool) for c in claims}


def why_unassigned(claim: Claim | int) -> str:
    """Why a claim has no reviewer, reviewer by reviewer; empty when it has one.

    A claim loaded with its article and its topics (a page's: claims.selectors) is judged as
    it is; any other, or an id, is read again with them."""
    loaded = (
        isinstance(claim, Claim)
        and "topics" in getattr(claim, "_prefetched_objects_cache", {})
        and Claim.article.is_cached(claim)
    )
    if not loaded:
        claim = (
            Claim.objects.select_related("article", "assignee")
            .prefetch_related("topics")
            .get(pk=getattr(claim, "pk", claim))
        )
    if claim.assignee_id is not None:
        return ""
    if claim.state != Claim.State.OPEN:
        return f"It is {claim.get_state_display().lower()}: only open claims are assigned."
    return why_unassigned_many([claim])[claim.pk]
