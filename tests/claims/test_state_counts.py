"""How many claims are in each state, kept by the database (claims/state_counts.py): right
after every way claims change, folded without losing a change, under concurrent writers, and
put back by `migrate` where a trigger went missing."""

import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from claims import state_counts, tasks, workflow
from claims.models import Article, Claim, ClaimStateCount
from tests.factories import ArticleFactory, ClaimFactory, claim_in

S = Claim.State
pytestmark = pytest.mark.django_db


def actual() -> dict[str, int]:
    return dict(Counter(Claim.objects.values_list("state", flat=True)))


def assert_kept():
    assert state_counts.counts() == actual()
    assert state_counts.count() == Claim.objects.count()
    assert (
        state_counts.count([S.OPEN, S.SUBMITTED])
        == Claim.objects.filter(state__in=[S.OPEN, S.SUBMITTED]).count()
    )


def test_counts_follow_every_way_claims_change(editor, checker):
    assert state_counts.counts() == {}
    ClaimFactory.create_batch(3)
    ClaimFactory(state=S.CANDIDATE)
    assert state_counts.counts() == {"open": 3, "candidate": 1}
    claim_in(S.SUBMITTED, editor=editor, checker=checker)  # the workflow, step by step
    assert_kept()
    first = Claim.objects.filter(state=S.OPEN).first()
    workflow.claim_dismiss(claim_id=first.pk, actor=editor, reason="opinion")
    assert_kept()
    article = ArticleFactory()
    Claim.objects.bulk_create(  # candidates, the default state
        [
            Claim(article=article, text=f"Claim {n}", position=n, start_offset=0, end_offset=7)
            for n in range(5)
        ]
    )
    assert_kept()
    Claim.objects.filter(state=S.CANDIDATE).update(state=S.OPEN)  # one statement, many rows
    assert_kept()
    Claim.objects.filter(state=S.OPEN).update(priority="high")  # no state changed
    assert_kept()
    with connection.cursor() as cursor:  # SQL around the ORM
        cursor.execute("UPDATE claims_claim SET state = 'candidate' WHERE state = 'open'")
    assert_kept()
    Claim.objects.filter(article=article).delete()
    assert_kept()
    assert state_counts.counts()["submitted"] == 1


def test_a_rolled_back_change_leaves_no_count(editor):
    ClaimFactory.create_batch(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        Claim.objects.update(state=S.DISMISSED)
        ClaimFactory()
        raise RuntimeError("undo")
    assert state_counts.counts() == {"open": 2}


def test_compact_folds_the_rows_into_one_a_state_and_keeps_the_counts(editor):
    claims = ClaimFactory.create_batch(4)
    for claim in claims[:3]:
        Claim.objects.filter(pk=claim.pk).update(state=S.CANDIDATE)
        Claim.objects.filter(pk=claim.pk).update(state=S.OPEN)
        Claim.objects.filter(pk=claim.pk).update(state=S.DISMISSED)
    before = ClaimStateCount.objects.count()
    assert before > 10
    assert tasks.compact_state_counts() == before  # the beat job (called directly)
    assert ClaimStateCount.objects.count() == 2  # open 1, dismissed 3
    assert state_counts.counts() == {"open": 1, "dismissed": 3} == actual()
    Claim.objects.update(state=S.OPEN)  # and counting goes on from the folded rows
    assert state_counts.counts() == {"open": 4}
    state_counts.compact()
    assert list(ClaimStateCount.objects.values_list("state", "n")) == [("open", 4)]


def test_article_deleted_with_its_claims_is_counted_out(editor):
    article = ArticleFactory()
    ClaimFactory.create_batch(3, article=article)
    ClaimFactory()
    Article.objects.filter(pk=article.pk).delete()
    assert state_counts.counts() == {"open": 1} == actual()


def test_migrate_recreates_dropped_triggers_and_recounts(editor, caplog):
    ClaimFactory.create_batch(2)
    with connection.cursor() as cursor:
        state_counts.drop_triggers(cursor.execute, connection.vendor)
    expected = list(state_counts.expected_triggers(connection.vendor))
    assert state_counts.missing_triggers(connection, expected) == expected
    ClaimFactory()  # no trigger: the counts went stale
    assert state_counts.count() == 2

    call_command("migrate", verbosity=0)

    assert state_counts.missing_triggers(connection, expected) == []
    assert state_counts.counts() == {"open": 3}  # recounted
    assert "Re-created the claim state count triggers" in caplog.text
    ClaimFactory(state=S.CANDIDATE)
    assert state_counts.counts() == {"open": 3, "candidate": 1}  # and kept again


def test_migrate_recounts_counts_that_differ_from_the_claims(editor, caplog):
    ClaimFactory.create_batch(2)
    ClaimStateCount.objects.create(state=S.OPEN, n=-5)  # as SQLite's flush leaves them
    ClaimStateCount.objects.create(state=S.SUBMITTED, n=1)
    assert state_counts.counts() == {"open": -3, "submitted": 1}

    call_command("migrate", verbosity=0)

    assert state_counts.counts() == {"open": 2} == actual()
    assert "Counted the claims in each state again" in caplog.text
    caplog.clear()
    call_command("migrate", verbosity=0)  # counts that agree are left as they are
    assert "Counted the claims in each state again" not in caplog.text
    assert state_counts.reconcile() is False


@pytest.mark.django_db(transaction=True)
def test_flush_leaves_no_count_behind():
    """`flush` empties every table: on SQLite one DELETE each in no set order, so the claims'
    DELETE may append its -1 rows to counts already emptied; the flush's post_migrate
    recounts. (PostgreSQL's TRUNCATE empties the counts by trigger.)"""
    ClaimFactory.create_batch(3)
    ClaimFactory(state=S.CANDIDATE)
    assert state_counts.counts() == {"open": 3, "candidate": 1}

    call_command("flush", interactive=False, verbosity=0)

    assert Claim.objects.count() == 0
    assert state_counts.counts() == {}
    assert state_counts.count() == 0
    ClaimFactory()
    assert state_counts.counts() == {"open": 1}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_compaction_lose_no_change():
    """Four connections change states and one folds the rows meanwhile: no writer waits on a
    counter (no lock is shared) and no change is lost or counted twice."""
    article = ArticleFactory()
    ids = [c.pk for c in ClaimFactory.create_batch(80, article=article)]
    errors: list[BaseException] = []
    done = threading.Event()

    def writer(share: list[int]):
        try:
            for _ in range(3):
                for pk in share:
                    for state in (S.ASSIGNED, S.IN_REVIEW, S.OPEN):
                        with transaction.atomic():
                            Claim.objects.filter(pk=pk).update(state=state)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    def folder():
        try:
            while not done.is_set():
                state_counts.compact()
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    writers = [threading.Thread(target=writer, args=(ids[i::4],)) for i in range(4)]
    fold = threading.Thread(target=folder)
    fold.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(120)
    done.set()
    fold.join(60)
    assert errors == []
    assert state_counts.counts() == actual() == {"open": 80}
    state_counts.compact()
    assert ClaimStateCount.objects.count() == 1


def test_claims_list_and_approvals_show_the_kept_counts(editor, checker):
    for _ in range(3):
        claim_in(S.SUBMITTED, editor=editor, checker=checker)
    ClaimFactory.create_batch(2)
    ClaimFactory(state=S.CANDIDATE, text="Inflation doubled in a year.")
    client = Client()
    client.force_login(editor)
    page = client.get(reverse("claims:claims")).content.decode()
    assert 'Claims <span class="muted">(6)</span>' in page
    page = client.get(reverse("claims:claims"), {"state": ["open", "candidate"]}).content.decode()
    assert 'Claims <span class="muted">(3)</span>' in page
    # any other filter counts its own matches
    page = client.get(reverse("claims:claims"), {"q": "Inflation"}).content.decode()
    assert 'Claims <span class="muted">(1)</span>' in page
    page = client.get(reverse("claims:approvals")).content.decode()
    assert "(3 waiting)" in page
    assert '<span class="count" aria-label="3 waiting">3</span>' in page  # the header's count
