"""A reviewer's load: the profile's counter, kept by database triggers (reviewers 0007), equals
their active assignments after every path that changes one; and the scheduler's batch write
(`workflow.claim_assign_many`) checks each claim on its own."""

import pytest
from django.db.models import Count, Q

from claims import workflow
from claims.models import Claim, ClaimEvent
from reviewers.models import Assignment, Notification, ReviewerProfile
from tests.factories import ArticleFactory, ClaimFactory, UserFactory, fact_checker, reviewer

pytestmark = pytest.mark.django_db
S = Claim.State


def loads() -> dict[str, tuple[int, int]]:
    """username -> (the counter, the active assignments counted)."""
    rows = ReviewerProfile.objects.annotate(
        counted=Count("user__assignments", filter=Q(user__assignments__state="active"))
    ).values_list("user__username", "load", "counted")
    return {name: (load, counted) for name, load, counted in rows}


def test_the_counter_follows_every_change_of_an_assignment(editor):
    ana, ben = reviewer("ana"), reviewer("ben")
    first, second, third = ClaimFactory(), ClaimFactory(), ClaimFactory()
    workflow.claim_assign(claim_id=first.pk, assignee=ana, actor=editor)
    workflow.claim_assign(claim_id=second.pk, assignee=ana, actor=None)
    workflow.claim_assign(claim_id=third.pk, assignee=ben, actor=editor)
    assert loads() == {"ana": (2, 2), "ben": (1, 1)}

    workflow.claim_reassign(claim_id=first.pk, assignee=ben, actor=editor)
    assert loads() == {"ana": (1, 1), "ben": (2, 2)}
    workflow.claim_decline(claim_id=second.pk, actor=ana, reason="I wrote on it last week")
    assert loads() == {"ana": (0, 0), "ben": (2, 2)}
    workflow.claim_unassign(claim_id=third.pk, actor=editor)
    assert loads() == {"ana": (0, 0), "ben": (1, 1)}
    workflow.claim_expire(claim_id=first.pk)
    assert loads() == {"ana": (0, 0), "ben": (0, 0)}

    # Paths that bypass the workflow (bulk SQL, a shell) keep it too.
    extra = Assignment.objects.create(claim=ClaimFactory(), reviewer=ana)
    assert loads()["ana"] == (1, 1)
    Assignment.objects.filter(pk=extra.pk).update(reviewer=ben)
    assert loads() == {"ana": (0, 0), "ben": (1, 1)}
    Assignment.objects.filter(pk=extra.pk).update(state="completed")
    assert loads()["ben"] == (0, 0)
    Assignment.objects.filter(pk=extra.pk).update(state="active")
    assert loads()["ben"] == (1, 1)
    Assignment.objects.filter(pk=extra.pk).delete()
    assert loads()["ben"] == (0, 0)


def test_a_profile_saved_from_a_stale_copy_keeps_the_load():
    ana = reviewer("ana")
    stale = ReviewerProfile.objects.get(user=ana)
    workflow.claim_assign(claim_id=ClaimFactory().pk, assignee=ana, actor=None)
    stale.capacity = 9
    stale.save()
    fresh = ReviewerProfile.objects.get(user=ana)
    assert (fresh.capacity, fresh.load) == (9, 1)


def test_a_profile_created_after_its_assignments_starts_from_them():
    dan = fact_checker("dan")
    ReviewerProfile.objects.filter(user=dan).delete()
    Assignment.objects.create(claim=ClaimFactory(), reviewer=dan)
    Assignment.objects.create(claim=ClaimFactory(), reviewer=dan, state="declined")
    ReviewerProfile.objects.create(user=dan)
    assert loads()["dan"] == (1, 1)


def test_assign_many_checks_each_claim_on_its_own_and_writes_the_rest():
    ana = reviewer("ana", full_name="Ana Ruiz", capacity=2)
    good = ClaimFactory()
    own = ClaimFactory(article=ArticleFactory(author="By Ana Ruiz"))
    candidate = ClaimFactory(state=S.CANDIDATE)
    to_reader = ClaimFactory()
    over = ClaimFactory()
    later = ClaimFactory()

    assigned, refused = workflow.claim_assign_many(
        assignments=[
            (good.pk, ana, "topic: none matched; load 0/2"),
            (own.pk, ana, "r"),
            (candidate.pk, ana, "r"),
            (to_reader.pk, UserFactory(username="reader"), "r"),
            (later.pk, ana.pk, "the second place"),
            (over.pk, ana, "r"),  # her capacity is 2: this third one is refused
            (999999, ana, "r"),
        ]
    )

    assert [c.pk for c in assigned] == [good.pk, later.pk]
    messages = {pk: exc.message for pk, exc in refused.items()}
    assert messages[own.pk] == "ana wrote the article this claim comes from: choose someone else."
    assert messages[candidate.pk].startswith("Cannot assign this claim: it is candidate.")
    assert "not a fact-checker" in messages[to_reader.pk]
    assert messages[over.pk] == "ana is at capacity (2/2)."
    assert messages[999999] == "There is no claim with id 999999."
    assert loads()["ana"] == (2, 2)

    good.refresh_from_db()
    assert (good.state, good.assignee, good.version) == (S.ASSIGNED, ana, 2)
    event = good.events.get()
    assert (event.transition, event.actor, event.from_state, event.to_state) == (
        "assign",
        None,
        "open",
        "assigned",
    )
    assert event.details["reason"] == "topic: none matched; load 0/2"
    assert event.details["due_at"] == good.due_at.isoformat()
    assignment = Assignment.objects.get(claim=good)
    assert (assignment.state, assignment.reason) == ("active", "topic: none matched; load 0/2")
    assert Notification.objects.filter(user=ana, kind="assigned").count() == 2
    for claim in (own, candidate, to_reader, over):
        fresh = Claim.objects.get(pk=claim.pk)
        assert (fresh.state, fresh.assignee_id, fresh.version) == (claim.state, None, 1)
        assert not ClaimEvent.objects.filter(claim=claim).exists()
        assert not Assignment.objects.filter(claim=claim).exists()


def test_migrate_recreates_dropped_load_triggers_and_recounts(editor, caplog):
    """SQLite drops a table's triggers when a migration rebuilds it; `migrate` puts them back."""
    from django.core.management import call_command
    from django.db import connection

    from reviewers import load_triggers

    ana = reviewer("ana")
    claim = ClaimFactory()
    with connection.cursor() as cursor:
        load_triggers.drop_triggers(cursor.execute, connection.vendor)
    assert load_triggers.missing_triggers(connection) == list(load_triggers.TRIGGERS)
    workflow.claim_assign(claim_id=claim.pk, assignee=ana, actor=editor)
    assert loads() == {"ana": (0, 1)}  # no trigger: the counter went stale

    call_command("migrate", verbosity=0)

    assert load_triggers.missing_triggers(connection) == []
    assert loads() == {"ana": (1, 1)}  # recounted
    assert "Re-created the reviewer load triggers" in caplog.text
    workflow.claim_unassign(claim_id=claim.pk, actor=editor)
    assert loads() == {"ana": (0, 0)}  # and kept again
    call_command("migrate", verbosity=0)
    assert loads() == {"ana": (0, 0)}
