"""The assignment policy: every eligibility rule, the ranking, and the explanations editors see."""

from datetime import timedelta

import pytest
from django.utils import timezone

from claims import workflow
from claims.models import Topic
from reviewers import policy
from reviewers.models import Assignment, ReviewerProfile
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    UserFactory,
    editor,
    reviewer,
)

pytestmark = pytest.mark.django_db


def claim_with(topics=(), language="en", author="", **kwargs):
    claim = ClaimFactory(
        article=ArticleFactory(author=author, language=language), language=language, **kwargs
    )
    claim.topics.set(Topic.objects.filter(slug__in=topics))
    return claim


def best(claim):
    """The candidate the assignment run tries first (services ranks the same way)."""
    ranked = policy.rank(policy.facts_of(claim.pk), policy.profiles(only_possible=True))
    return ranked[0] if ranked else None


def choice(claim):
    chosen = best(claim)
    return chosen.profile.user.get_username() if chosen else None


def load(user, n):
    """Give the user n active assignments on other claims."""
    for _ in range(n):
        Assignment.objects.create(claim=ClaimFactory(state="assigned"), reviewer=user)


# --- Eligibility ----------------------------------------------------------------------------


def test_an_available_fact_checker_who_speaks_the_language_is_chosen():
    reviewer("ana")
    assert choice(claim_with()) == "ana"


def test_unavailable_reviewer_is_not_eligible_and_editors_see_why():
    reviewer("ana", available=False)
    claim = claim_with()
    assert choice(claim) is None
    assert policy.why_unassigned(claim) == "Nobody is eligible: ana is marked unavailable."


def test_away_reviewer_is_eligible_again_the_day_after_away_until():
    today = timezone.localdate()
    reviewer("ana", away_until=today)
    claim = claim_with()
    assert choice(claim) is None
    assert f"ana is away until {today:%Y-%m-%d}" in policy.why_unassigned(claim)
    ReviewerProfile.objects.filter(user__username="ana").update(
        away_until=today - timedelta(days=1)
    )
    assert choice(claim) == "ana"


def test_inactive_user_is_not_eligible():
    user = reviewer("ana")
    user.is_active = False
    user.save()
    claim = claim_with()
    assert choice(claim) is None
    assert "ana account is inactive" in policy.why_unassigned(claim)


def test_someone_who_is_not_a_fact_checker_is_not_eligible():
    user = UserFactory(username="bob")  # no group
    ReviewerProfile.objects.create(user=user, languages="en", capacity=5)
    claim = claim_with()
    assert choice(claim) is None
    assert "bob is not a fact-checker" in policy.why_unassigned(claim)


def test_reviewer_at_capacity_is_not_eligible():
    ana = reviewer("ana", capacity=2)
    load(ana, 2)
    claim = claim_with()
    assert choice(claim) is None
    assert "ana is at capacity (2/2)" in policy.why_unassigned(claim)


def test_capacity_counts_only_active_assignments():
    ana = reviewer("ana", capacity=1)
    Assignment.objects.create(
        claim=ClaimFactory(state="approved"), reviewer=ana, state=Assignment.State.COMPLETED
    )
    assert choice(claim_with()) == "ana"


def test_reviewer_must_speak_the_claims_language():
    reviewer("ana", languages="en")
    reviewer("jean", languages="fr,en")
    claim = claim_with(language="fr")
    assert choice(claim) == "jean"
    ReviewerProfile.objects.filter(user__username="jean").update(available=False)
    why = policy.why_unassigned(claim)
    assert "ana does not list the claim's language (fr)" in why


def test_a_regional_language_matches_its_main_language():
    reviewer("ana", languages="en")
    assert choice(claim_with(language="en-GB")) == "ana"


@pytest.mark.parametrize(
    "byline",
    ["Chris Checker", "By Chris Checker and Ana Ruiz", "CHRIS CHECKER, staff", "By Chrís Chécker"],
)
def test_the_articles_author_never_checks_it(byline):
    reviewer("checker1", full_name="Chris Checker")
    claim = claim_with(author=byline)
    assert choice(claim) is None
    assert policy.why_unassigned(claim) == "Nobody is eligible: checker1 wrote the article."


@pytest.mark.parametrize("byline", ["", "Chris Checkerton", "Staff reporter", "Checker"])
def test_a_byline_that_does_not_name_the_reviewer_does_not_exclude_them(byline):
    reviewer("checker1", full_name="Chris Checker")
    assert choice(claim_with(author=byline)) == "checker1"


def test_a_reviewer_without_a_full_name_never_matches_a_byline():
    assert not policy.wrote_article("", "By Someone")
    assert policy.wrote_article("Ana Ruiz", "Ana  Ruiz")


def test_someone_who_declined_the_claim_does_not_get_it_again():
    ana, ben = reviewer("ana"), reviewer("ben")
    ed = editor("ed")
    claim = claim_with()
    workflow.claim_assign(claim_id=claim.pk, assignee=ana, actor=ed)
    workflow.claim_decline(claim_id=claim.pk, actor=ana, reason="Conflict of interest")
    assert choice(claim) == "ben"
    ReviewerProfile.objects.filter(user=ben).update(available=False)
    assert choice(claim) is None
    assert "ana declined this claim" in policy.why_unassigned(claim)


def test_someone_who_let_the_claim_expire_does_not_get_it_again():
    ana = reviewer("ana")
    claim = claim_with()
    workflow.claim_assign(claim_id=claim.pk, assignee=ana, actor=None)
    workflow.claim_expire(claim_id=claim.pk)
    assert choice(claim) is None
    assert "ana let this claim expire" in policy.why_unassigned(claim)


def test_someone_an_editor_took_off_the_claim_does_not_get_it_back_automatically():
    ana = reviewer("ana")
    claim = claim_with()
    workflow.claim_assign(claim_id=claim.pk, assignee=ana, actor=None)
    workflow.claim_unassign(claim_id=claim.pk, actor=editor("ed"))
    assert choice(claim) is None
    assert "ana was taken off this claim by an editor" in policy.why_unassigned(claim)


def test_nobody_eligible_lists_every_reviewer_and_every_reason():
    ana = reviewer("ana", capacity=1, languages="fr")
    load(ana, 1)
    reviewer("ben", available=False)
    why = policy.why_unassigned(claim_with())
    assert why == (
        "Nobody is eligible: ana is at capacity (1/1); does not list the claim's language (en). "
        "ben is marked unavailable."
    )


def test_no_profiles_at_all_says_so():
    assert "there are no reviewer profiles yet" in policy.why_unassigned(claim_with())


def test_why_unassigned_names_the_next_reviewer_when_someone_is_eligible():
    reviewer("ana", topics=["security"])
    why = policy.why_unassigned(claim_with(topics=["security"]))
    assert why == (
        "Waiting for the next assignment run (every minute): ana is next "
        "(topic: security; load 0/5)."
    )


def test_why_unassigned_is_empty_for_an_assigned_claim():
    ana = reviewer("ana")
    claim = claim_with()
    workflow.claim_assign(claim_id=claim.pk, assignee=ana, actor=None)
    assert policy.why_unassigned(claim) == ""


# --- Ranking --------------------------------------------------------------------------------


def test_topic_match_comes_before_load():
    busy = reviewer("busy", topics=["security"])
    reviewer("idle", topics=["economy"])
    load(busy, 3)
    assert choice(claim_with(topics=["security"])) == "busy"


def test_more_topic_matches_rank_higher():
    reviewer("one", topics=["security"])
    reviewer("two", topics=["security", "foreign-affairs"])
    assert choice(claim_with(topics=["security", "foreign-affairs"])) == "two"


def test_lowest_load_wins_among_equal_topic_matches():
    ana, ben = reviewer("ana"), reviewer("ben")
    load(ana, 2)
    load(ben, 1)
    assert choice(claim_with()) == "ben"


def test_longest_since_last_assignment_breaks_a_tie_in_load():
    now = timezone.now()
    reviewer("recent", last_assigned_at=now - timedelta(minutes=5))
    reviewer("earlier", last_assigned_at=now - timedelta(hours=5))
    assert choice(claim_with()) == "earlier"
    reviewer("never")
    assert choice(claim_with()) == "never"


def test_reason_records_topics_and_load():
    ana = reviewer("ana", capacity=4, topics=["security", "economy"])
    load(ana, 1)
    chosen = best(claim_with(topics=["security"]))
    assert chosen.reason == "topic: security; load 1/4"
    reviewer("ben", capacity=3)
    ReviewerProfile.objects.filter(user=ana).update(available=False)
    assert best(claim_with()).reason == "topic: none matched; load 0/3"


def test_why_unassigned_many_costs_the_same_queries_for_many_claims(django_assert_num_queries):
    for i in range(5):
        reviewer(f"r{i}", topics=["security"])
    claims = [claim_with(topics=["security"]) for _ in range(3)]
    from claims.models import Claim

    def run(ids):
        qs = Claim.objects.filter(pk__in=ids).select_related("article").prefetch_related("topics")
        return policy.why_unassigned_many(qs)

    with django_assert_num_queries(5):  # claims, topics, gave-up assignments, profiles, topics
        assert len(run([c.pk for c in claims[:1]])) == 1
    more = claims + [claim_with() for _ in range(10)]
    with django_assert_num_queries(5):
        assert len(run([c.pk for c in more])) == 13
