from datetime import timedelta

import pytest
from django.utils import timezone

from claims.filters import ClaimFilter
from claims.models import Claim, Topic
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def ids(data):
    f = ClaimFilter(data, queryset=Claim.objects.all())
    assert f.is_valid(), f.errors
    return sorted(f.qs.values_list("pk", flat=True))


def test_filters_by_state_topic_search_and_overdue(checker):
    security = Topic.objects.get(slug="security")
    a = ClaimFactory(text="Troops crossed the northern border in March.", claimant="Kabulov")
    a.topics.add(security)
    b = ClaimFactory(text="Exports rose 12% in 2025.", state=Claim.State.CANDIDATE)
    c = ClaimFactory(
        text="Inflation fell to 2%.",
        state=Claim.State.ASSIGNED,
        assignee=checker,
        due_at=timezone.now() - timedelta(hours=1),
    )
    assert ids({"state": ["candidate"]}) == [b.pk]
    assert ids({"topic": ["security"]}) == [a.pk]
    assert ids({"q": "northern border"}) == [a.pk]
    assert ids({"claimant": "kabul"}) == [a.pk]
    assert ids({"overdue": "true"}) == [c.pk]
    assert ids({"reviewer": "checker"}) == [c.pk]
    assert ids({}) == sorted([a.pk, b.pk, c.pk])


def test_bad_filter_values_are_reported_not_crashing():
    f = ClaimFilter(
        {"state": ["nonsense"], "created_after": "yesterday"}, queryset=Claim.objects.all()
    )
    assert not f.is_valid()
    assert "state" in f.errors and "created_after" in f.errors


def test_unbound_filter_lists_everything():
    claim = ClaimFactory()
    assert list(ClaimFilter(None, queryset=Claim.objects.all()).qs) == [claim]
