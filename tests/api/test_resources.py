"""The resources: claims filter exactly like the dashboard and page by cursor; drafts stay with
their author; articles from text and HTML; evidence; reviewers' workload; assignments;
notifications; exports."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from claims import services, workflow
from claims.api.pagination import ClaimCursorPagination
from claims.filters import ClaimFilter
from claims.models import Article, Claim, Export, Topic
from reviewers.models import Notification, ReviewerProfile
from tests.factories import ArticleFactory, ClaimFactory, claim_in, rating

pytestmark = pytest.mark.django_db
S = Claim.State


def walk(client, url: str) -> list[dict]:
    """Every row of a cursor-paginated list, following `next`."""
    rows, seen_urls = [], set()
    while url:
        assert url not in seen_urls
        seen_urls.add(url)
        response = client.get(url)
        assert response.status_code == 200, response.json()
        rows.extend(response.json()["results"])
        url = response.json()["next"]
    return rows


def test_the_api_orderings_are_the_dashboards():
    assert set(ClaimCursorPagination.SORT_KEYS) == set(
        ClaimFilter.base_filters["ordering"].param_map
    )


@pytest.fixture
def many_claims(editor, checker):
    economy = Topic.objects.get_or_create(slug="economy", defaults={"name": "Economy"})[0]
    outlet = ArticleFactory(publisher="Outlet")
    other = ArticleFactory(publisher="Other")
    claims = []
    for n in range(23):
        claim = ClaimFactory(
            article=outlet if n % 2 else other,
            claimant="The minister" if n % 3 else "An analyst",
            score=round(0.3 + (n % 7) / 10, 2),
            priority=["low", "normal", "high", "urgent"][n % 4],
            created_at=timezone.now() - timedelta(hours=n % 5),  # ties on purpose
        )
        if n % 4 == 0:
            claim.topics.add(economy)
        claims.append(claim)
    ReviewerProfile.objects.filter(user=checker).update(capacity=6)  # room for six
    for claim in claims[:6]:
        workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=editor)
    Claim.objects.filter(pk=claims[0].pk).update(due_at=timezone.now() - timedelta(hours=1))
    return claims


@pytest.mark.parametrize(
    "query",
    [
        "",
        "state=assigned",
        "state=open&state=assigned",
        "topic=economy",
        "publisher=outlet",
        "claimant=analyst",
        "reviewer=checker",
        "overdue=true",
        "overdue=false",
        "priority=urgent&priority=high",
        f"created_after={timezone.localdate().isoformat()}",
        "q=unemployment",
        "ordering=score",
        "ordering=-due",
        "ordering=priority",
        "ordering=state",
        "ordering=-created",
        "ordering=id",
    ],
)
def test_claims_filter_and_page_exactly_like_claimfilter(as_checker, many_claims, query):
    expected = ClaimFilter(QueryDict(query), queryset=Claim.objects.all()).qs
    rows = walk(as_checker, f"/api/v1/claims/?{query}&page_size=4")
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "a row appeared twice"
    assert sorted(ids) == sorted(expected.values_list("pk", flat=True))
    if "ordering=" in query:
        key = query.split("ordering=")[1]
        field = {"created": "created_at", "due": "due_at"}.get(key.lstrip("-"), key.lstrip("-"))
        values = [r[field] for r in rows]
        present = [v for v in values if v is not None]
        assert present == sorted(present, reverse=key.startswith("-"))


def test_claims_page_backwards_with_previous(as_checker, many_claims):
    first = as_checker.get("/api/v1/claims/?page_size=5&ordering=-created").json()
    assert first["previous"] is None
    second = as_checker.get(first["next"]).json()
    back = as_checker.get(second["previous"]).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]


def test_rating_filter_matches_current_verdicts(as_editor, editor, checker):
    false_one = claim_in(S.SUBMITTED, editor=editor, checker=checker)
    claim_in(S.ASSIGNED, editor=editor, checker=checker)
    rows = walk(as_editor, "/api/v1/claims/?rating=false")
    assert [r["id"] for r in rows] == [false_one.pk]
    assert rows[0]["current_verdict"]["rating"]["slug"] == "false"


def test_a_fact_checker_never_sees_another_persons_draft(editor, checker, checker2):
    from .conftest import client_for

    claim = claim_in(S.IN_REVIEW, editor=editor, checker=checker)
    workflow.verdict_save_draft(
        claim_id=claim.pk, actor=checker, rating_id=rating().pk, summary="Draft text."
    )
    mine = client_for(checker).get(f"/api/v1/claims/{claim.pk}/").json()
    assert mine["current_verdict"]["summary"] == "Draft text."
    other = client_for(checker2)
    assert other.get(f"/api/v1/claims/{claim.pk}/").json()["current_verdict"] is None
    listed = other.get("/api/v1/claims/").json()["results"]
    assert [r["current_verdict"] for r in listed if r["id"] == claim.pk] == [None]
    assert other.get("/api/v1/verdicts/").json()["results"] == []
    draft_id = mine["current_verdict"]["id"]
    assert other.get(f"/api/v1/verdicts/{draft_id}/").status_code == 404
    assert client_for(editor).get(f"/api/v1/verdicts/{draft_id}/").json()["state"] == "draft"
    # Once submitted, everyone on the desk may read it.
    workflow.claim_submit(claim_id=claim.pk, actor=checker)
    assert other.get(f"/api/v1/verdicts/{draft_id}/").json()["state"] == "submitted"


def test_claim_detail_lists_what_you_may_do_and_its_history(as_checker, editor, checker):
    claim = claim_in(S.ASSIGNED, editor=editor, checker=checker)
    data = as_checker.get(f"/api/v1/claims/{claim.pk}/").json()
    assert data["available_actions"] == ["decline", "start", "save_draft"]
    assert data["assignee"] == {"id": checker.pk, "username": "checker"}
    events = as_checker.get(f"/api/v1/claims/{claim.pk}/events/").json()
    assert [e["transition"] for e in events] == ["assign"]
    assert events[0]["actor"]["username"] == "editor"


# --- Articles ----------------------------------------------------------------------------------


def test_ingest_text_then_the_same_text_again(
    as_editor, editor, django_capture_on_commit_callbacks
):
    body = {"text": "The minister said exports rose 12% in 2025.", "title": "Exports"}
    with django_capture_on_commit_callbacks() as callbacks:
        made = as_editor.post("/api/v1/articles/", body, format="json")
    assert made.status_code == 201
    data = made.json()
    assert data["status"] == "pending"
    assert data["source"] == "text"
    assert data["submitted_by"]["username"] == "editor"
    assert made["Location"].endswith(f"/api/v1/articles/{data['id']}/")
    assert len(callbacks) == 1  # the extraction job, sent after commit
    again = as_editor.post("/api/v1/articles/", body, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == data["id"]
    assert Article.objects.count() == 1


def test_ingest_html_extracts_the_text(as_editor):
    html = (
        "<html><head><title>Jobs</title></head><body><article><h1>Jobs</h1>"
        "<p>The minister said unemployment fell to 4% last year, the lowest in a decade.</p>"
        "<p>Analysts said the figure left out part-time work and seasonal jobs.</p>"
        "</article><script>alert('x')</script></body></html>"
    )
    made = as_editor.post(
        "/api/v1/articles/", {"html": html, "url": "https://news.example/jobs"}, format="json"
    )
    assert made.status_code == 201, made.json()
    article = Article.objects.get(pk=made.json()["id"])
    assert article.source == "html"
    assert article.url == "https://news.example/jobs"
    assert "unemployment fell to 4%" in article.body
    assert "<p>" not in article.body


def test_ingest_needs_exactly_one_body(as_editor):
    none = as_editor.post("/api/v1/articles/", {"title": "Nothing"}, format="json")
    assert none.status_code == 400
    assert none.json()["errors"] == {
        "text": ["Send the article's `text`, its `html`, or a `url` to fetch it from."]
    }
    both = as_editor.post(
        "/api/v1/articles/", {"text": "a b c.", "html": "<p>a</p>"}, format="json"
    )
    assert both.status_code == 400
    assert list(both.json()["errors"]) == ["html"]


def test_ingest_from_a_url_queues_the_fetch(as_editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = as_editor.post(
            "/api/v1/articles/", {"url": "https://news.example/a"}, format="json"
        )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    assert len(callbacks) == 1  # claims.fetch_article is sent after commit
    bad = as_editor.post("/api/v1/articles/", {"url": "ftp://news.example/a"}, format="json")
    assert bad.status_code == 400


def test_fact_checkers_read_articles_but_do_not_ingest(as_checker):
    ArticleFactory()
    assert len(as_checker.get("/api/v1/articles/").json()["results"]) == 1
    refused = as_checker.post("/api/v1/articles/", {"text": "Exports rose 5%."}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only editors can ingest articles."


# --- Evidence, reviewers, assignments, notifications ------------------------------------------


def test_evidence_is_listed_under_its_claim(as_checker, editor, checker):
    claim = claim_in(S.IN_REVIEW, editor=editor, checker=checker)
    other = ClaimFactory()
    for n in range(3):
        services.evidence_add(claim_id=claim.pk, actor=checker, url=f"https://e.example/{n}")
    services.evidence_add(claim_id=other.pk, actor=editor, url="https://e.example/other")
    rows = walk(as_checker, f"/api/v1/claims/{claim.pk}/evidence/?page_size=2")
    assert [r["url"] for r in rows] == [f"https://e.example/{n}" for n in range(3)]
    one = as_checker.get(f"/api/v1/claims/{claim.pk}/evidence/{rows[0]['id']}/").json()
    assert one["added_by"]["username"] == "checker"
    wrong_claim = as_checker.get(f"/api/v1/claims/{other.pk}/evidence/{rows[0]['id']}/")
    assert wrong_claim.status_code == 404


def test_reviewers_and_their_workload(as_editor, as_checker, editor, checker, checker2):
    for _ in range(2):
        claim_in(S.ASSIGNED, editor=editor, checker=checker)
    overdue = claim_in(S.IN_REVIEW, editor=editor, checker=checker)
    Claim.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - timedelta(hours=1))
    from reviewers.models import Assignment

    Assignment.objects.filter(claim=overdue).update(due_at=timezone.now() - timedelta(hours=1))
    rows = {r["user"]["username"]: r for r in as_editor.get("/api/v1/reviewers/").json()}
    assert rows["checker"]["open_assignments"] == 3
    assert rows["checker"]["overdue_assignments"] == 1
    assert rows["checker"]["remaining_capacity"] == 2
    assert rows["checker2"]["open_assignments"] == 0
    # A fact-checker sees only their own workload.
    own = as_checker.get("/api/v1/reviewers/").json()
    assert [r["user"]["username"] for r in own] == ["checker"]


def test_assignments_are_scoped(as_editor, as_checker2, editor, checker, checker2):
    claim_in(S.ASSIGNED, editor=editor, checker=checker)
    theirs = claim_in(S.ASSIGNED, editor=editor, checker=checker2)
    assert len(as_editor.get("/api/v1/assignments/?state=active").json()["results"]) == 2
    mine = as_checker2.get("/api/v1/assignments/").json()["results"]
    assert [a["claim"] for a in mine] == [theirs.pk]
    assert mine[0]["assigned_by"]["username"] == "editor"


def test_notifications_are_your_own_and_can_be_marked_read(as_checker, editor, checker, checker2):
    claim_in(S.ASSIGNED, editor=editor, checker=checker)  # notifies checker
    claim_in(S.ASSIGNED, editor=editor, checker=checker2)  # notifies checker2
    rows = as_checker.get("/api/v1/notifications/?unread=true").json()["results"]
    assert len(rows) == 1
    assert rows[0]["kind"] == "assigned"
    assert rows[0]["is_read"] is False
    marked = as_checker.post(f"/api/v1/notifications/{rows[0]['id']}/read/").json()
    assert marked["is_read"] is True
    assert as_checker.get("/api/v1/notifications/?unread=true").json()["results"] == []
    others = Notification.objects.get(user=checker2)
    assert as_checker.post(f"/api/v1/notifications/{others.pk}/read/").status_code == 404
    assert as_checker.post("/api/v1/notifications/read-all/").json() == {"marked": 0}
    others.refresh_from_db()
    assert others.read_at is None


# --- Exports -----------------------------------------------------------------------------------


def test_exports_validate_filters(as_editor, as_checker):
    bad = as_editor.post(
        "/api/v1/exports/", {"format": "csv", "filters": {"colour": "red"}}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["errors"]["filters"][0].startswith("Unknown filter(s): colour.")
    bad_value = as_editor.post(
        "/api/v1/exports/", {"format": "csv", "filters": {"state": "lost"}}, format="json"
    )
    assert bad_value.status_code == 400
    assert "state" in bad_value.json()["errors"]["filters"][0]
    refused = as_checker.post("/api/v1/exports/", {"format": "csv"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only editors can export verdict reports."


def test_exports_are_queued_for_the_worker(as_editor, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        made = as_editor.post(
            "/api/v1/exports/",
            {"format": "claimreview", "filters": {"state": ["published"]}},
            format="json",
        )
    assert len(callbacks) == 1  # claims.build_export is sent after commit
    export = Export.objects.get()
    assert (export.requested_by, export.format) == (editor, "claimreview")
    assert export.filters["state"] == ["published"]
    assert made.status_code == 201, made.json()
    assert made.json()["state"] == "queued"
    assert made.json()["download_url"] is None
    listed = as_editor.get("/api/v1/exports/").json()["results"]
    assert [e["id"] for e in listed] == [made.json()["id"]]
