"""Working pages: styled refusals, no-store caching, totals, snippets, the admin."""

import logging
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from claims import workflow
from claims.models import Claim, Rating, Topic
from reviewers.management.commands.seed_demo import configurators_group
from reviewers.models import Notification, ReviewerProfile
from reviewers.notifications import notify, snippet
from tests.factories import ClaimFactory, UserFactory
from tests.vendor import queries

pytestmark = pytest.mark.django_db


def test_fact_checker_on_workload_gets_the_styled_403_without_a_traceback(checker_client, caplog):
    with caplog.at_level(logging.INFO):
        response = checker_client.get("/reviewers/workload/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Not allowed</h1>" in html
    assert "Only editors can see the reviewers&#x27; workload." in html
    assert 'class="site-header"' in html  # the dashboard's page, not a bare "403 Forbidden"
    assert [t for t in response.templates if t.name == "403.html"]
    assert not [r for r in caplog.records if r.exc_info]
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == ["Forbidden: /reviewers/workload/"]


def test_claims_pages_refusal_uses_the_same_403_page(checker_client):
    response = checker_client.get(reverse("claims:ingest"))
    assert response.status_code == 403
    assert [t for t in response.templates if t.name == "403.html"]
    assert "Only editors can ingest articles." in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/", "/claims/", "/approvals/", "/reports/", "/reviewers/workload/", "/ingest/"]
)
def test_signed_in_working_pages_are_not_stored(editor_client, path):
    response = editor_client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_claim_page_is_not_stored(checker_client, assigned_claim):
    response = checker_client.get(reverse("claims:claim", args=[assigned_claim.pk]))
    assert "no-store" in response["Cache-Control"]


def test_public_pages_and_api_keep_their_own_caching(client, editor_client):
    assert "no-store" not in client.get("/fact-checks/").get("Cache-Control", "")
    assert "no-store" not in editor_client.get("/fact-checks/").get("Cache-Control", "")
    api = editor_client.get("/api/v1/claims/")
    assert api.status_code == 200 and "no-store" not in api.get("Cache-Control", "")


def test_workload_shows_totals_of_waiting_and_overdue_work(
    editor_client, editor, checker, django_assert_max_num_queries
):
    for _ in range(23):
        ClaimFactory(state=Claim.State.OPEN)
    late = ClaimFactory(state=Claim.State.OPEN)
    workflow.claim_assign(claim_id=late.pk, assignee=checker, actor=editor)
    late.assignments.update(due_at=timezone.now() - timedelta(hours=3))
    ReviewerProfile.objects.get_or_create(user=checker, defaults={"capacity": 4})
    # the page's one query on PostgreSQL; SQLite's portable path reads the permissions apart and
    # the page in eight
    with django_assert_max_num_queries(queries(postgresql=3, sqlite=12)):
        response = editor_client.get("/reviewers/workload/")
    html = response.content.decode()
    assert 'Open claims waiting for a reviewer <span class="muted">(23)</span>' in html
    assert "The 20 waiting longest of 23 open claims" in html
    assert html.count('href="/reviewers/claims/') >= 20
    assert 'Overdue work <span class="muted">(1)</span>' in html
    assert '<tr class="totals">' in html and "Total (1 reviewer)" in html


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Short enough.", 60, "Short enough."),
        (
            "The minister said unemployment fell to four percent last year",
            30,
            "The minister said…",
        ),
        ("Unemployment, he said, fell sharply in every region", 22, "Unemployment, he said…"),
        ("https://stats.example.org/a/very/long/path/without/spaces", 20, "https://stats.examp…"),
    ],
)
def test_snippets_end_at_a_word(text, limit, expected):
    cut = snippet(text, limit)
    assert cut == expected
    assert len(cut) <= limit


def test_notifications_about_a_long_claim_are_not_cut_mid_word(editor, checker):
    text = "The minister said that unemployment fell to four percent in every single region."
    claim = ClaimFactory(state=Claim.State.OPEN, text=text)
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=editor)
    message = Notification.objects.get(user=checker, kind="assigned").message
    quoted = message.split("“", 1)[1].split("”", 1)[0]
    assert quoted.endswith("…")
    assert text.startswith(quoted[:-1])
    assert text[len(quoted) - 1] == " "  # the cut falls between two words

    long = "word " * 200
    (note,) = notify([editor], kind="info", message=long)
    assert len(note.message) <= 500 and note.message.endswith("word…")


def test_configurators_edit_configuration_and_nothing_else(client):
    group = configurators_group()
    user = UserFactory(username="conf", is_staff=True)
    user.groups.add(group)
    client.force_login(user)
    topic = Topic.objects.first()
    rating = Rating.objects.first()
    for url in (
        reverse("admin:claims_topic_changelist"),
        reverse("admin:claims_topic_change", args=[topic.pk]),
        reverse("admin:claims_rating_change", args=[rating.pk]),
        reverse("admin:claims_rating_add"),
        reverse("admin:reviewers_reviewerprofile_changelist"),
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(
        reverse("admin:claims_topic_add"), {"name": "Health care", "slug": "health-care"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Topic.objects.filter(slug="health-care").exists()
    for url in (
        reverse("admin:claims_claim_changelist"),
        reverse("admin:claims_verdict_changelist"),
        reverse("admin:claims_evidence_changelist"),
        reverse("admin:reviewers_assignment_changelist"),
        reverse("admin:claims_claimevent_changelist"),
    ):
        assert client.get(url).status_code == 403, url
    labels = {p.content_type.model for p in group.permissions.select_related("content_type")}
    assert labels == {"topic", "rating", "reviewerprofile"}


@pytest.mark.django_db(transaction=True)
def test_seed_demo_creates_the_admin_login_and_prints_it(capsys, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-123")
    call_command("seed_demo", "--skip-publish")
    out = capsys.readouterr().out
    assert (
        "Admin login (configuration at /admin/: topics, ratings, reviewer profiles): admin" in out
    )
    assert "demo-pass-123" in out
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_staff and not admin.is_superuser
    assert admin.check_password("demo-pass-123")
    assert Group.objects.get(name="Configurators") in admin.groups.all()
