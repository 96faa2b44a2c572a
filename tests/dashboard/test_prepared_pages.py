"""On PostgreSQL the claims list's, the queue's, the claim page's and the workload page's main
statements are prepared once per connection (planning them cost as much as running them;
factcheck/db.py), and every request still reads what is stored now."""

import pytest
from django.db import connection
from django.urls import reverse

from claims import services, workflow
from claims.models import Claim
from tests.factories import ClaimFactory
from tests.vendor import postgresql_only, prepared_statements

pytestmark = [
    pytest.mark.django_db,
    postgresql_only("prepared statements are PostgreSQL's (factcheck/db.py)"),
]


@pytest.fixture(autouse=True)
def nothing_prepared_yet():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")


def test_the_claims_list_page_is_prepared_per_page_and_reads_fresh(editor_client):
    ClaimFactory(text="The first claim on the list.")
    for _ in range(2):
        html = editor_client.get(reverse("claims:claims")).content.decode()
    assert "The first claim on the list." in html
    # (the paginator reads as many rows as there are, up to 50)
    assert any(
        'FROM "claims_claim"' in s and s.endswith("LIMIT 1 OFFSET 0") for s in prepared_statements()
    )
    ClaimFactory(text="A claim filed after the statement was prepared.")
    html = editor_client.get(reverse("claims:claims")).content.decode()
    assert "A claim filed after the statement was prepared." in html
    assert 'Claims <span class="muted">(2)</span>' in html


def test_the_queue_is_prepared_with_its_states_and_reads_fresh(checker_client, checker, editor):
    first = ClaimFactory(text="Assigned before.", state=Claim.State.OPEN)
    workflow.claim_assign(claim_id=first.pk, assignee=checker, actor=editor)
    for _ in range(2):
        html = checker_client.get(reverse("claims:home")).content.decode()
    assert "Assigned before." in html
    queue = [s for s in prepared_statements() if '"claims_claim"."assignee_id" = $1' in s]
    assert queue and "'assigned'" in queue[0]
    later = ClaimFactory(text="Assigned after the statement was prepared.", state=Claim.State.OPEN)
    workflow.claim_assign(claim_id=later.pk, assignee=checker, actor=editor)
    html = checker_client.get(reverse("claims:home")).content.decode()
    assert "Assigned after the statement was prepared." in html


def test_the_claim_page_is_prepared_and_reads_fresh(editor_client, editor):
    claim = ClaimFactory()
    url = reverse("claims:claim", args=[claim.pk])
    for _ in range(2):
        assert editor_client.get(url).status_code == 200
    assert any("to_jsonb(\"claims_claim\") - 'embedding'" in s for s in prepared_statements())
    services.evidence_add(claim_id=claim.pk, actor=editor, url="https://example.org/fresh")
    assert "https://example.org/fresh" in editor_client.get(url).content.decode()


def test_the_workload_page_is_prepared_and_reads_fresh(editor_client, editor, checker):
    url = reverse("reviewers:workload")
    for _ in range(2):
        assert editor_client.get(url).status_code == 200
    assert any("c.done_week_count" in s and "$1" in s for s in prepared_statements())
    waiting = ClaimFactory(text="A claim filed after the statement was prepared.")
    html = editor_client.get(url).content.decode()
    assert "A claim filed after the statement was prepared." in html
    workflow.claim_assign(claim_id=waiting.pk, assignee=checker, actor=editor)
    html = editor_client.get(url).content.decode()
    assert "A claim filed after the statement was prepared." not in html


def test_the_overviews_two_statements_are_prepared_and_read_fresh(editor_client, checker, editor):
    """The sections' rows (compiled once with stand-in times, each request's own filled in)
    and the reviewers' stuck claims: prepared, and each request sees what is stored now."""
    from datetime import timedelta

    from django.utils import timezone

    late = ClaimFactory(text="Late work.", state=Claim.State.OPEN)
    workflow.claim_assign(claim_id=late.pk, assignee=checker, actor=editor)
    Claim.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    for _ in range(2):
        html = editor_client.get("/").content.decode()
    assert "Late work." in html
    statements = prepared_statements()
    assert any('"claims_evidence" e' in s for s in statements)  # the sections' rows
    assert any('"reviewers_reviewerprofile"' in s and "jsonb_agg" in s for s in statements)
    stuck = ClaimFactory(text="Nobody took this one.", state=Claim.State.OPEN)
    Claim.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=2))
    Claim.objects.filter(pk=late.pk).update(due_at=timezone.now() + timedelta(hours=1))
    html = editor_client.get("/").content.decode()
    assert "Nobody took this one." in html  # filed before the cutoff: stuck
    assert "Late work." not in html  # its new deadline is in the future: not overdue now
