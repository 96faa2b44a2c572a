"""The assignment policy, in one readable place.

Eligible: available (not away), active fact-checker, under capacity, speaks the claim's language,
has not declined this claim before. Ranked by topic match, then lowest current load, then longest
since their last assignment (fair rotation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from claims.models import Claim

from .models import Assignment, ReviewerProfile


@dataclass(frozen=True)
class Choice:
    profile: ReviewerProfile
    load: int
    topic_matches: tuple[str, ...]

    @property
    def reason(self) -> str:
        topics = ", ".join(self.topic_matches) if self.topic_matches else "none matched"
        return f"topic: {topics}; load {self.load}/{self.profile.capacity}"


def candidate_profiles():
    today = timezone.localdate()
    return (
        ReviewerProfile.objects.filter(available=True, user__is_active=True)
        .filter(Q(away_until__isnull=True) | Q(away_until__lt=today))
        .filter(Q(user__groups__permissions__codename="work_claim") | Q(user__is_superuser=True))
        .distinct()
        .select_related("user")
        .prefetch_related("topics")
        .annotate(
            load=Count(
                "user__assignments", filter=Q(user__assignments__state="active"), distinct=True
            )
        )
    )


def rank(claim: Claim, profiles, declined: set[int], claim_topics: set[str]) -> list[Choice]:
    choices = []
    for profile in profiles:
        if profile.user_id in declined or profile.load >= profile.capacity:
            continue
        if claim.language.lower() not in profile.language_list:
            continue
        matches = tuple(sorted(claim_topics & {t.slug for t in profile.topics.all()}))
        choices.append(Choice(profile=profile, load=profile.load, topic_matches=matches))
    oldest = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    choices.sort(
        key=lambda c: (
            -len(c.topic_matches),
            c.load,
            c.profile.last_assigned_at or oldest,
            c.profile.pk,
        )
    )
    return choices


def choose_reviewer(claim: Claim) -> Choice | None:
    declined = set(
        Assignment.objects.filter(claim=claim, state=Assignment.State.DECLINED).values_list(
            "reviewer_id", flat=True
        )
    )
    claim_topics = set(claim.topics.values_list("slug", flat=True))
    ranked = rank(claim, candidate_profiles(), declined, claim_topics)
    return ranked[0] if ranked else None
