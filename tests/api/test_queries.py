"""Every list endpoint costs the same number of queries for a page of 3 rows as for 30."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import services, workflow
from claims.models import Article, Claim, Export, Topic
from reviewers.models import ReviewerProfile
from tests.factories import claim_in, rating
from tests.vendor import queries

pytestmark = pytest.mark.django_db
S = Claim.State
ROWS = 30


@pytest.fixture
def busy_desk(editor, checker, checker2):
    # A busy desk: room for every claim (the assignment policy counts each one).
    ReviewerProfile.objects.filter(user__in=[checker, checker2]).update(capacity=ROWS)
    economy = Topic.objects.get_or_create(slug="economy", defaults={"name": "Economy"})[0]
    health = Topic.objects.get_or_create(slug="health", defaults={"name": "Health"})[0]
    first = None
    for n in range(ROWS):
        state = [S.OPEN, S.ASSIGNED, S.IN_REVIEW, S.SUBMITTED][n % 4]
        claim = claim_in(state, editor=editor, checker=checker if n % 2 else checker2)
        claim.topics.add(economy, health)
        if state == S.IN_REVIEW:
            workflow.verdict_save_draft(
                claim_id=claim.pk,
                actor=claim.assignee,
                rating_id=rating().pk,
                summary="Draft.",
            )
        first = first or claim
        services.evidence_add(claim_id=first.pk, actor=editor, url=f"https://e.example/{n}")
        Export.objects.create(requested_by=editor, format="csv")
    assert Claim.objects.count() == ROWS
    return first


def count_queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.json()
    data = response.json()
    rows = len(data["results"] if isinstance(data, dict) else data)
    return len(queries), rows


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/claims/?",
        "/api/v1/claims/?topic=economy&state=in_review&state=submitted&ordering=-due&",
        "/api/v1/claims/?rating=false&",
        "/api/v1/articles/?",
        "/api/v1/verdicts/?",
        "/api/v1/assignments/?",
        "/api/v1/notifications/?",
        "/api/v1/exports/?",
        "/api/v1/claims/{first}/evidence/?",
    ],
)
def test_list_queries_are_constant_in_page_size(
    as_editor, busy_desk, path, django_assert_max_num_queries
):
    url = path.format(first=busy_desk.pk)
    small, small_rows = count_queries(as_editor, f"{url}page_size=3")
    large, large_rows = count_queries(as_editor, f"{url}page_size=30")
    assert large_rows > small_rows, "the larger page must hold more rows for the test to mean it"
    assert large == small
    with django_assert_max_num_queries(8):
        as_editor.get(f"{url}page_size=30")


def test_reviewers_workload_queries_are_constant(
    as_editor, busy_desk, django_assert_max_num_queries
):
    from tests.factories import fact_checker

    few, _ = count_queries(as_editor, "/api/v1/reviewers/")
    for n in range(10):
        fact_checker(f"extra{n}").reviewer_profile.topics.add(*Topic.objects.all())
    many, rows = count_queries(as_editor, "/api/v1/reviewers/")
    assert rows == 12
    assert many == few
    with django_assert_max_num_queries(5):
        as_editor.get("/api/v1/reviewers/")


def test_article_list_does_not_load_bodies(as_editor, busy_desk):
    Article.objects.update(body="x" * 100_000)
    with CaptureQueriesContext(connection) as queries:
        as_editor.get("/api/v1/articles/")
    main = next(q["sql"] for q in queries if 'FROM "claims_article"' in q["sql"])
    assert '"claims_article"."body"' not in main


def _detail_of(client, claim_id: int) -> dict:
    response = client.get(f"/api/v1/claims/{claim_id}/")
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.mark.parametrize("who", ["as_editor", "as_checker", "as_checker2"])
def test_list_rows_are_the_detail_representation(request, who, busy_desk):
    """The list is built from values() rows, the detail by ClaimSerializer: they must agree, field
    for field (verdict visibility, available actions, topics, datetimes), for every role."""
    client = request.getfixturevalue(who)
    body = client.get("/api/v1/claims/?page_size=200").json()
    assert len(body["results"]) == ROWS
    drafts = 0
    for row in body["results"]:
        assert row == _detail_of(client, row["id"])
        drafts += bool(row["current_verdict"] and row["current_verdict"]["state"] == "draft")
    # The editor sees every draft; a fact-checker only their own (checker2 wrote them all).
    in_review = Claim.objects.filter(state=S.IN_REVIEW).count()
    assert in_review > 0
    assert drafts == {"as_editor": in_review, "as_checker": 0, "as_checker2": in_review}[who]


def test_list_deep_pages_cost_what_the_first_costs(as_editor, busy_desk):
    first, _ = count_queries(as_editor, "/api/v1/claims/?page_size=5")
    url, seen = "/api/v1/claims/?page_size=5", []
    for _ in range(4):
        body = as_editor.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url = body["next"].replace("http://testserver", "")
    deep, rows = count_queries(as_editor, url)
    assert rows == 5 and deep == first
    assert len(set(seen)) == 20, "a keyset page never repeats a row"


# --- The claims list's budget: the token (with the user's permissions) and the page (ids, rows,
# current verdicts, topics, and the check that every named topic exists) ------------------------
# On SQLite (the embedded default) the token and the permissions are two reads (DRF's token check),
# and the page's topics a read of their own: four, as fixed as PostgreSQL's two.
AUTH = queries(postgresql=1, sqlite=2)
PAGE = queries(postgresql=1, sqlite=2)


def _claims_list_queries(client, url: str, *, rows: bool = True) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.json()
    assert bool(response.json()["results"]) == rows
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize(
    "query",
    [
        "state=open&state=submitted&ordering=-created",
        "ordering=due&priority=high&priority=normal&priority=low&priority=urgent",
        "topic=economy&ordering=-created",
        "topic=economy&topic=health&state=in_review&ordering=score",
    ],
)
@pytest.mark.parametrize("who", ["as_editor", "as_checker"])
def test_claims_list_is_the_token_and_one_page_query(
    request, busy_desk, query, who, django_assert_max_num_queries
):
    client = request.getfixturevalue(who)
    url = f"/api/v1/claims/?{query}&page_size=3"
    sqls = _claims_list_queries(client, url)
    assert len(sqls) == AUTH + PAGE
    # The permissions come with the token (PostgreSQL) or right after it; nothing else reads them.
    assert [s for s in sqls if "auth_permission" in s or "auth_group" in s] == [sqls[AUTH - 1]]
    assert "authtoken_token" in sqls[0]
    assert not [s for s in sqls if s.startswith('SELECT "claims_topic"')]
    # Every page of any size and depth: the same queries.
    body = client.get(url).json()
    deeper = body["next"].replace("http://testserver", "").replace("page_size=3", "page_size=30")
    with django_assert_max_num_queries(AUTH + PAGE):
        assert client.get(deeper).status_code == 200
    with django_assert_max_num_queries(AUTH + PAGE):
        assert client.get(url.replace("page_size=3", "page_size=200")).status_code == 200


def test_an_empty_page_checks_the_named_topics(as_editor, busy_desk):
    """No row may mean a topic that does not exist: only then a query checks the topics."""
    Topic.objects.create(slug="sport", name="Sport")  # nothing is tagged with it
    sqls = _claims_list_queries(as_editor, "/api/v1/claims/?topic=sport", rows=False)
    assert len(sqls) == AUTH + 2
    assert sqls[-1].startswith('SELECT "claims_topic"."slug" AS "slug" FROM "claims_topic" WHERE')
    empty = _claims_list_queries(as_editor, "/api/v1/claims/?state=dismissed", rows=False)
    assert len(empty) == AUTH + 1


@pytest.mark.parametrize(
    "query",
    [
        "topic=no-such-topic",
        "topic=economy&topic=no-such-topic",  # the economy claims alone would fill a page
        "topic=no-such-topic&cursor=not-a-cursor",  # the filters' errors come first
        "topic=economy&topic=no-such-topic&ordering=-due&page_size=2",
    ],
)
def test_an_unknown_topic_is_refused_whatever_else_matches(as_editor, busy_desk, query):
    response = as_editor.get(f"/api/v1/claims/?{query}")
    assert response.status_code == 400, response.json()
    assert response.json()["errors"] == {
        "topic": ["Select a valid choice. no-such-topic is not one of the available choices."]
    }


def test_a_deep_page_starts_at_the_cursor_in_the_index(as_editor, busy_desk):
    """The cursor's bound on the sort key alone is in the page query, so PostgreSQL seeks the
    ordering's index to the cursor instead of reading every row before it."""
    body = as_editor.get("/api/v1/claims/?ordering=-created&page_size=5").json()
    sqls = _claims_list_queries(as_editor, body["next"].replace("http://testserver", ""))
    page = next(s for s in sqls if s.startswith("WITH claims_list_page"))
    assert '"claims_claim"."created_at" <= ' in page


def test_bad_values_of_several_filters_are_all_reported(as_editor, busy_desk):
    response = as_editor.get("/api/v1/claims/?state=nonsense&topic=no-such-topic&priority=asap")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"state", "topic", "priority"}
    response = as_editor.get("/api/v1/claims/?state=nonsense&topic=economy")
    assert set(response.json()["errors"]) == {"state"}
    response = as_editor.get("/api/v1/claims/?topic=a%00b&topic=economy")
    assert response.json()["errors"] == {"topic": ["Null characters are not allowed."]}


def test_the_browsable_filter_form_shows_every_filter_and_the_topics(as_editor, busy_desk):
    """A query names a few filters; the browsable API's form still offers all of them."""
    response = as_editor.get("/api/v1/claims/?state=open&page_size=2", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("q", "state", "rating", "topic", "publisher", "reviewer", "overdue", "ordering"):
        assert f'name="{name}"' in page, name
    topics = page[page.index('name="topic"') :]
    assert '<option value="economy"' in topics and '<option value="health"' in topics
