"""End to end with a real worker: new open claims are assigned on commit, emails go out once."""

import pytest
from django.core import mail
from django.test import override_settings

from claims import services, workflow
from claims.models import Article, Claim
from reviewers.models import Assignment, Notification
from tests.factories import fact_checker
from tests.waiting import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_new_open_claims_are_assigned_by_the_worker_on_commit(celery_worker):
    checker = fact_checker("checker1", first_name="Chris", last_name="Checker")
    article, _ = services.article_create_from_text(
        text="The ministry said exports rose 12% in 2025. Officials said unemployment fell to 4%."
    )
    # Extraction runs in the worker; the claims it files as open are then assigned there too.
    assert wait_for(lambda: Article.objects.get(pk=article.pk).status == Article.Status.READY)
    open_or_assigned = Claim.objects.filter(article=article).exclude(state=Claim.State.CANDIDATE)
    assert open_or_assigned.exists()
    assert wait_for(
        lambda: (
            not open_or_assigned.filter(state=Claim.State.OPEN).exists()
            and Notification.objects.filter(kind="assigned", emailed_at__isnull=False).count()
            == open_or_assigned.count()
        )
    )
    for claim in open_or_assigned:
        assert (claim.state, claim.assignee) == (Claim.State.ASSIGNED, checker)
        assert claim.due_at is not None
        assert Assignment.objects.get(claim=claim).reason.startswith("topic: ")
    # One email per assignment, sent by the worker's email job.
    assert (
        len([m for m in mail.outbox if "You were assigned" in m.body]) == open_or_assigned.count()
    )


def test_a_declined_claim_goes_to_someone_else_via_the_worker(celery_worker):
    first, second = fact_checker("first"), fact_checker("second")
    article, _ = services.article_create_from_text(text="The minister said taxes rose by 40%.")
    assert wait_for(lambda: Claim.objects.filter(article=article, state="assigned").exists())
    claim = Claim.objects.get(article=article, state="assigned")
    holder = claim.assignee
    workflow.claim_decline(claim_id=claim.pk, actor=holder, reason="Conflict of interest")
    other = second if holder == first else first
    assert wait_for(lambda: Claim.objects.get(pk=claim.pk).assignee == other)
