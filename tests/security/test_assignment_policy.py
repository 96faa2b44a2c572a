"""One assignment policy at every door (issue #11, item 4).

Every way a claim gets a reviewer (the claim page, the claims list's bulk bar, the API's assign
and reassign, the reviewers' assign and bulk pages, the workflow that commands and scripts call,
and the scheduler's job) asks reviewers/policy.py through the workflow's `claim_assigning`
signal. Each door is tried here as a person would use it:

- refused, with the policy's sentence, when the policy says no;
- accepted with an explicit "assign anyway" and a reason, the override and the reason kept in the
  ClaimEvent and shown on the claim page and in the API;
- refused when "assign anyway" comes without a reason;
- refused when the reviewer wrote the article, even with "assign anyway".
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from claims import workflow
from claims.api.tokens import token_create
from claims.errors import InvalidInput, PermissionDenied
from claims.models import Claim, ClaimEvent
from claims.permissions import FACT_CHECKERS
from reviewers import services
from reviewers.models import CAPACITY_MAX, Assignment, ReviewerProfile
from tests.factories import ArticleFactory, ClaimFactory, UserFactory, fact_checker

pytestmark = pytest.mark.django_db
S = Claim.State

FULL = "ana is at capacity (1/1). Choose someone else, or assign anyway with a reason."
NO_REASON = "Say why you assign the claim to ana anyway: the reason is kept in the claim's history."
AUTHOR = "ana wrote the article this claim comes from: choose someone else."
REASON = "Ana is the only one who reads the source's language"


@pytest.fixture
def ana(db):
    """A fact-checker at capacity: one open assignment, capacity 1."""
    user = fact_checker("ana", first_name="Ana", last_name="Ruiz")
    ReviewerProfile.objects.filter(user=user).update(capacity=1)
    workflow.claim_assign(claim_id=ClaimFactory().pk, assignee=user, actor=None)
    return user


@pytest.fixture
def ben(db):
    return fact_checker("ben")


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user).key}")
    return client


def _text(response) -> str:
    """What a person reads: the page (unescaped) and its flash messages."""
    flashed = [str(m) for m in get_messages(response.wsgi_request)]
    body = response.content.decode() if response.get("Content-Type", "").startswith("text") else ""
    return html.unescape(body) + "\n" + "\n".join(flashed)


def page_text(response) -> str:
    """The page as read: tags dropped, entities unescaped, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    text = re.sub(r"\s+", " ", html.unescape(text))
    return re.sub(r" ([.,;:)])", r"\1", text)


# --- The doors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Door:
    name: str
    reassign: bool  # the claim is first given to ben, then to ana
    call: Callable  # (editor, claim, person, anyway, reason) -> what the person reads


def _claim_page(editor, claim, person, anyway, reason):
    data = {"assignee": person.pk, "version": claim.version, "reason": reason}
    if anyway:
        data["assign_anyway"] = "on"
    url = reverse("claims:claim_action", args=[claim.pk, "assign"])
    response = page_client(editor).post(url, data)
    assert response.status_code in {302, 400}, response.status_code
    return _text(response)


def _bulk_bar(editor, claim, person, anyway, reason):
    data = {
        "action": "assign",
        "claims": [claim.pk],
        f"v_{claim.pk}": claim.version,
        "assignee": person.pk,
        "assign_reason": reason,
    }
    if anyway:
        data["assign_anyway"] = "on"
    response = page_client(editor).post(reverse("claims:claim_bulk"), data)
    assert response.status_code == 302
    return _text(response)


def _api(action):
    def call(editor, claim, person, anyway, reason):
        body = {"assignee": person.pk, "reason": reason, "version": claim.version}
        if anyway:
            body["assign_anyway"] = True
        response = api_client(editor).post(
            f"/api/v1/claims/{claim.pk}/{action}/", body, format="json"
        )
        assert response.status_code in {200, 400}, response.content
        data = response.json()
        if response.status_code == 400:
            assert data["code"] in {
                "assignment_refused",
                "override_needs_reason",
                "author_of_article",
                "no_reviewer_profile",
            }
            return data["detail"]
        return ""

    return call


def _reviewers_page(editor, claim, person, anyway, reason):
    data = {"reviewer": person.pk, "reason": reason, "version": claim.version}
    if anyway:
        data["assign_anyway"] = "on"
    url = reverse("reviewers:claim_assign", kwargs={"claim_id": claim.pk})
    response = page_client(editor).post(url, data)
    assert response.status_code in {302, 400}
    return _text(response)


def _reviewers_bulk(editor, claim, person, anyway, reason):
    data = {"claim_ids": str(claim.pk), "reviewer": person.pk, "reason": reason}
    if anyway:
        data["assign_anyway"] = "on"
    response = page_client(editor).post(reverse("reviewers:bulk_assign"), data)
    assert response.status_code == 200
    return _text(response)


def _workflow(editor, claim, person, anyway, reason):
    """What management commands and scripts call (seed_demo assigns this way)."""
    move = workflow.claim_assign if claim.state == S.OPEN else workflow.claim_reassign
    try:
        move(
            claim_id=claim.pk,
            assignee=person,
            actor=editor,
            reason=reason,
            assign_anyway=anyway,
        )
    except InvalidInput as exc:
        return exc.message
    return ""


DOORS = [
    Door("claim page assign", False, _claim_page),
    Door("claim page reassign", True, _claim_page),
    Door("claims list bulk assign", False, _bulk_bar),
    Door("claims list bulk reassign", True, _bulk_bar),
    Door("API assign", False, _api("assign")),
    Door("API reassign", True, _api("reassign")),
    Door("reviewers assign page", False, _reviewers_page),
    Door("reviewers reassign page", True, _reviewers_page),
    Door("reviewers bulk page", False, _reviewers_bulk),
    Door("workflow (commands)", False, _workflow),
    Door("workflow reassign (commands)", True, _workflow),
]
door_ids = [d.name for d in DOORS]


def a_claim(door: Door, ben, **kwargs) -> Claim:
    claim = ClaimFactory(**kwargs)
    if door.reassign:
        workflow.claim_assign(claim_id=claim.pk, assignee=ben, actor=None)
    return Claim.objects.get(pk=claim.pk)


def last_assignment_event(claim) -> ClaimEvent | None:
    return (
        ClaimEvent.objects.filter(claim=claim, transition__in=["assign", "reassign"])
        .order_by("-pk")
        .first()
    )


@pytest.mark.parametrize("door", DOORS, ids=door_ids)
def test_every_door_refuses_what_the_policy_refuses(door, editor, ana, ben):
    claim = a_claim(door, ben)
    before = Claim.objects.get(pk=claim.pk)
    read = door.call(editor, claim, ana, False, "")
    assert FULL in read
    after = Claim.objects.get(pk=claim.pk)
    assert (after.assignee_id, after.version) == (before.assignee_id, before.version)
    assert not Assignment.objects.filter(claim=claim, reviewer=ana).exists()


@pytest.mark.parametrize("door", DOORS, ids=door_ids)
def test_every_door_accepts_assign_anyway_with_a_reason_and_records_it(door, editor, ana, ben):
    claim = a_claim(door, ben)
    read = door.call(editor, claim, ana, True, REASON)
    assert FULL not in read and NO_REASON not in read
    claim.refresh_from_db()
    assert claim.assignee == ana
    event = last_assignment_event(claim)
    assert event.actor == editor
    assert event.details["assign_anyway"] is True
    assert event.details["overridden"] == ["is at capacity (1/1)"]
    assert event.details["reason"] == REASON
    assignment = Assignment.objects.get(claim=claim, state=Assignment.State.ACTIVE)
    assert assignment.reason == f"assigned anyway (is at capacity (1/1)): {REASON}"
    # Shown where people look: the claim page (assignee panel and history) and the API.
    page = page_text(page_client(editor).get(reverse("claims:claim", args=[claim.pk])))
    assert f"Assigned anyway, overriding the policy: is at capacity (1/1). Reason: {REASON}" in page
    assert "(assigned anyway, overriding: is at capacity (1/1))" in page
    events = api_client(editor).get(f"/api/v1/claims/{claim.pk}/events/").json()
    shown = next(e for e in events if e["transition"] == event.transition)
    assert shown["details"]["assign_anyway"] is True
    assert shown["details"]["overridden"] == ["is at capacity (1/1)"]
    assert shown["details"]["reason"] == REASON


@pytest.mark.parametrize("door", DOORS, ids=door_ids)
def test_assign_anyway_without_a_reason_is_refused(door, editor, ana, ben):
    claim = a_claim(door, ben)
    read = door.call(editor, claim, ana, True, "   ")
    assert NO_REASON in read
    assert Claim.objects.get(pk=claim.pk).assignee_id != ana.pk


@pytest.mark.parametrize("door", DOORS, ids=door_ids)
def test_authorship_is_refused_even_with_assign_anyway(door, editor, ana, ben):
    ReviewerProfile.objects.filter(user=ana).update(capacity=5)  # only authorship stands
    claim = a_claim(door, ben, article=ArticleFactory(author="By Ana Ruiz and Li Wei"))
    read = door.call(editor, claim, ana, True, REASON)
    assert AUTHOR in read
    assert Claim.objects.get(pk=claim.pk).assignee_id != ana.pk


# --- Every rule, by the API and the claim page ----------------------------------------------


def _declined(ana, claim):
    ReviewerProfile.objects.filter(user=ana).update(capacity=5)
    workflow.claim_assign(claim_id=claim.pk, assignee=ana, actor=None)
    workflow.claim_decline(claim_id=claim.pk, actor=ana, reason="I know the minister")


def _expired(ana, claim):
    ReviewerProfile.objects.filter(user=ana).update(capacity=5)
    workflow.claim_assign(claim_id=claim.pk, assignee=ana, actor=None)
    workflow.claim_expire(claim_id=claim.pk)


RULES = {
    "unavailable": (
        lambda ana, claim: ReviewerProfile.objects.filter(user=ana).update(
            capacity=5, available=False
        ),
        "ana is marked unavailable.",
        ["is marked unavailable"],
    ),
    "away": (
        lambda ana, claim: ReviewerProfile.objects.filter(user=ana).update(
            capacity=5, away_until=timezone.localdate() + timedelta(days=3)
        ),
        f"ana is away until {timezone.localdate() + timedelta(days=3):%Y-%m-%d}.",
        [f"is away until {timezone.localdate() + timedelta(days=3):%Y-%m-%d}"],
    ),
    "language": (
        lambda ana, claim: (
            ReviewerProfile.objects.filter(user=ana).update(capacity=5),
            Claim.objects.filter(pk=claim.pk).update(language="fr"),
        ),
        "ana does not list the claim's language (fr).",
        ["does not list the claim's language (fr)"],
    ),
    "declined before": (_declined, "ana declined this claim.", ["declined this claim"]),
    "expired before": (_expired, "ana let this claim expire.", ["let this claim expire"]),
}


@pytest.mark.parametrize("door", [DOORS[0], DOORS[4]], ids=[DOORS[0].name, DOORS[4].name])
@pytest.mark.parametrize("rule", list(RULES))
def test_each_rule_is_refused_and_can_be_overridden_with_a_reason(door, rule, editor, ana, ben):
    setup, sentence, overridden = RULES[rule]
    claim = ClaimFactory()
    setup(ana, claim)
    claim = Claim.objects.get(pk=claim.pk)
    read = door.call(editor, claim, ana, False, "")
    assert f"{sentence[:-1]}. Choose someone else, or assign anyway with a reason." in read
    assert Claim.objects.get(pk=claim.pk).assignee_id is None
    claim = Claim.objects.get(pk=claim.pk)
    door.call(editor, claim, ana, True, REASON)
    claim.refresh_from_db()
    assert claim.assignee == ana
    assert last_assignment_event(claim).details["overridden"] == overridden


def test_someone_without_a_reviewer_profile_is_refused_with_what_to_do(editor):
    dan = UserFactory(username="dan", groups=[FACT_CHECKERS])
    claim = ClaimFactory()
    read = _api("assign")(editor, claim, dan, True, REASON)
    assert read == (
        "dan has no reviewer profile: add one (topics, languages, capacity) before assigning "
        "them claims."
    )
    assert Claim.objects.get(pk=claim.pk).assignee_id is None


# --- The scheduler (the job) and the commands ------------------------------------------------


def test_the_scheduler_follows_the_policy(ana, ben):
    """ana is full; ben wrote the second claim's article; the third is in a language nobody
    lists: the job assigns only what the policy allows and leaves the rest open."""
    ben.first_name, ben.last_name = "Ben", "Okafor"
    ben.save()
    plain = ClaimFactory()
    by_ben = ClaimFactory(article=ArticleFactory(author="Ben Okafor"))
    french = ClaimFactory(language="fr")
    run = services.assign_open_claims()
    assigned = dict(
        Claim.objects.filter(pk__in=[plain.pk, by_ben.pk, french.pk]).values_list(
            "pk", "assignee__username"
        )
    )
    assert assigned == {plain.pk: "ben", by_ben.pk: None, french.pk: None}
    assert run.assigned == 1
    assert Assignment.objects.filter(reviewer=ana, state="active").count() == 1  # still 1/1


def test_the_scheduler_cannot_assign_anyway(ana):
    claim = ClaimFactory()
    with pytest.raises(PermissionDenied, match="Only an editor can assign anyway"):
        workflow.claim_assign(
            claim_id=claim.pk, assignee=ana, actor=None, reason="because", assign_anyway=True
        )
    assert Claim.objects.get(pk=claim.pk).state == S.OPEN


def test_the_scheduler_log_says_how_many_stay_open(ana, caplog):
    """Nobody free: the run says the claims are still open, not "0 left open"."""
    ClaimFactory(), ClaimFactory()
    with caplog.at_level("INFO", logger="reviewers.services"):
        run = services.assign_open_claims()
    assert run.assigned == 0
    assert (
        "assignment run: 0 assigned, 2 still open (every reviewer is full, away or unavailable)"
        in caplog.messages
    )


def test_seed_demo_goes_through_the_policy(capsys):
    """seed_demo assigns its demo claim by the workflow: a full checker1 stops it with the
    policy's sentence, not a traceback."""
    from django.contrib.auth import get_user_model

    checker1 = get_user_model().objects.create(username="checker1")
    ReviewerProfile.objects.create(user=checker1, capacity=0)
    with pytest.raises(CommandError) as err:
        call_command("seed_demo")
    assert str(err.value) == (
        "The demo claim could not be published: checker1 is at capacity (0/0). Choose someone "
        "else, or assign anyway with a reason."
    )


# --- One capacity limit ---------------------------------------------------------------------


def test_capacity_500_is_the_same_in_the_form_the_service_and_the_api(editor, ben):
    profile = ben.reviewer_profile
    response = page_client(editor).post(
        reverse("reviewers:profile_edit", kwargs={"profile_id": profile.pk}),
        {"languages": "en", "capacity": "500", "available": "on"},
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.capacity == 500
    services.profile_update(
        profile_id=profile.pk,
        actor=editor,
        topic_ids=[],
        languages="en",
        capacity=500,
        available=True,
        away_until=None,
    )
    assert ReviewerProfile.objects.get(pk=profile.pk).capacity == 500
    shown = next(
        r
        for r in api_client(editor).get("/api/v1/reviewers/").json()
        if r["user"]["username"] == "ben"
    )
    assert (shown["capacity"], shown["remaining_capacity"]) == (500, 500)
    claim = ClaimFactory()
    response = api_client(editor).post(
        f"/api/v1/claims/{claim.pk}/assign/", {"assignee": ben.pk}, format="json"
    )
    assert response.status_code == 200, response.json()


def test_capacity_over_the_limit_is_refused_everywhere_with_the_same_limit(editor, ben):
    profile = ben.reviewer_profile
    over = CAPACITY_MAX + 1
    response = page_client(editor).post(
        reverse("reviewers:profile_edit", kwargs={"profile_id": profile.pk}),
        {"languages": "en", "capacity": str(over), "available": "on"},
    )
    assert response.status_code == 400
    assert f"Ensure this value is less than or equal to {CAPACITY_MAX}." in _text(response)
    with pytest.raises(InvalidInput) as err:
        services.profile_update(
            profile_id=profile.pk,
            actor=editor,
            topic_ids=[],
            languages="en",
            capacity=over,
            available=True,
            away_until=None,
        )
    assert err.value.message == (
        f"Capacity is the number of open assignments at once: 0 to {CAPACITY_MAX}."
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewerProfile.objects.filter(pk=profile.pk).update(capacity=over)
    assert ReviewerProfile.objects.get(pk=profile.pk).capacity == 5
