"""Reads behind the API's endpoints, with their joins: each list costs the same few queries
whatever its page size. Scoping (who sees what) is decided here, not in the views."""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import (
    Count,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL

from claims import permissions
from claims.expressions import ListSubquery
from claims.models import Article, Claim, ClaimEvent, Evidence, Export, Rating, Verdict

User = get_user_model()


def claims_list() -> QuerySet[Claim]:
    current = Verdict.objects.current().select_related("rating", "author", "decided_by")
    return (
        Claim.objects.select_related("article", "assignee")
        .defer("embedding", "article__body")
        .prefetch_related(
            "topics", Prefetch("verdicts", queryset=current, to_attr="current_verdicts")
        )
    )


def claim_events(claim_id: int) -> QuerySet[ClaimEvent]:
    return ClaimEvent.objects.filter(claim_id=claim_id).select_related("actor")


def verdicts_visible_to(user) -> QuerySet[Verdict]:
    """permissions.can_view_verdict as a query: unfinished work (a draft, or a returned verdict
    a reassignment left behind) is its author's; editors also see the current draft of a claim
    they are not working on. Another fact-checker's drafts are never listed."""
    verdicts = Verdict.objects.select_related("claim", "rating", "author", "decided_by").defer(
        "claim__embedding", "claim__context"
    )
    unfinished = Q(state=Verdict.State.DRAFT) | Q(state=Verdict.State.RETURNED, is_current=False)
    visible = ~unfinished | Q(author=user)
    if permissions.is_editor(user):
        supervised = Q(is_current=True) & ~Q(claim__assignee=user)
        visible |= Q(state=Verdict.State.DRAFT) & supervised
        visible |= Q(state=Verdict.State.RETURNED, is_current=False) & ~Q(claim__assignee=user)
    return verdicts.filter(visible)


def articles_list() -> QuerySet[Article]:
    return (
        Article.objects.select_related("submitted_by")
        .annotate(claim_count=Count("claims"))
        .order_by("-created_at", "-pk")
    )


def evidence_of(claim_id: int) -> QuerySet[Evidence]:
    """With the claim's version (adding evidence bumps it), not the claim's heavy columns."""
    return (
        Evidence.objects.filter(claim_id=claim_id)
        .select_related("added_by", "claim")
        .defer("claim__embedding", "claim__context", "claim__text")
    )


def exports_of(user) -> QuerySet[Export]:
    return Export.objects.filter(requested_by=user).select_related("requested_by")


# --- The claims list as plain rows (values(), one query per page) ------------------------------

CLAIM_LIST_VALUES = (
    "id",
    "version",
    "article_id",
    "article__title",
    "article__publisher",
    "article__url",
    "article__published_at",
    "text",
    "context",
    "position",
    "start_offset",
    "end_offset",
    "claimant",
    "claimant_method",
    "score",
    "language",
    "priority",
    "due_at",
    "state",
    "dismiss_reason",
    "assignee_id",
    "assignee__username",
    "duplicate_of_id",
    "repeat_count",
    "published_at",
    "created_at",
    "updated_at",
)


CURRENT_VERDICT_VALUES = (
    "id",
    "rating_id",
    "summary",
    "rationale",
    "author_id",
    "state",
    "decided_by_id",
    "decision_note",
    "decided_at",
    "submitted_at",
    "correction_of_id",
    "correction_note",
    "created_at",
    "updated_at",
)
# What the current verdict points to (its rating, author and decider), each value read by id in
# a subquery rather than joined: three more joins made planning the page query cost more than
# running it. Name: (model, column, the verdict's column holding the id).
CURRENT_VERDICT_REFERENCES = {
    "rating__slug": (Rating, "slug", "rating_id"),
    "rating__label": (Rating, "label", "rating_id"),
    "rating__value": (Rating, "value", "rating_id"),
    "author__username": (User, "username", "author_id"),
    "decided_by__username": (User, "username", "decided_by_id"),
}
# The current verdict's values in a list row are named with this prefix.
CURRENT_VERDICT = "current_verdict__"


def claims_list_rows(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    """The (filtered) claims as dicts, with their article, assignee and current verdict (its
    values named `current_verdict__...`, all None when there is none), in one query (no model
    instances). On PostgreSQL the topic slugs come in the same query; elsewhere
    `claims_topic_slugs` adds one query per page."""
    # A claim has at most one current verdict (constraint verdict_one_current_per_claim), so the
    # join never repeats a row. The condition is VerdictQuerySet.current()'s.
    queryset = queryset.annotate(
        current_verdict=FilteredRelation("verdicts", condition=Q(verdicts__is_current=True))
    )
    queryset = queryset.annotate(
        **{
            CURRENT_VERDICT + name: Subquery(
                model.objects.filter(pk=OuterRef(CURRENT_VERDICT + through))
                .order_by()
                .values(column)
            )
            for name, (model, column, through) in CURRENT_VERDICT_REFERENCES.items()
        }
    )
    values = (
        *CLAIM_LIST_VALUES,
        *(CURRENT_VERDICT + name for name in CURRENT_VERDICT_VALUES),
        *(CURRENT_VERDICT + name for name in CURRENT_VERDICT_REFERENCES),
    )
    if connection.vendor == "postgresql":
        queryset = queryset.annotate(topic_slugs=_topic_slugs_subquery())
        return queryset.values(*values, "topic_slugs")
    return queryset.values(*values)


# The page's ids, chosen by the filters, the order and the cursor, as a common table expression
# that the rows' part of the page query reads.
PAGE_IDS = "claims_list_page"


def claims_page_rows(page: QuerySet[Claim], sort_key, order: tuple[str, ...]) -> list[dict]:
    """The rows (claims_list_rows, with `_sort_key`) of the claims `page` selects (filtered,
    ordered and sliced: the index walk), in `order`, in one query: the page's ids first, then
    the joins for just those rows. The rows' part is the same for every page of an order, so it
    is built and compiled once per connection and order; only `page` is built per request."""
    return claims_page_fetch(claims_page_statement(page, sort_key, order))


def claims_page_statement(page: QuerySet[Claim], sort_key, order: tuple[str, ...], db=None):
    """claims_page_rows's statement, for `db` (by default the thread's connection): its SQL,
    its parameters, the names of its columns and their value converters."""
    if db is None:
        db = connections[DEFAULT_DB_ALIAS]  # the thread's connection itself (not the proxy)
    ids_sql, ids_params = page.values("pk").query.sql_with_params()
    rows_sql, rows_params, names, converters = _page_rows_query(db, sort_key, order)
    sql = f"WITH {PAGE_IDS} (id) AS ({ids_sql}) {rows_sql}"  # noqa: S608 - compiled by the ORM
    return sql, (*ids_params, *rows_params), names, converters


def claims_page_fetch(statement) -> list[dict]:
    """The rows of a claims_page_statement, as dicts."""
    sql, params, names, converters = statement
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if converters:  # the database's and the fields' (SQLite's datetimes, say)
        rows = _converting_compiler(db).apply_converters(rows, converters)
    return [dict(zip(names, row, strict=True)) for row in rows]


@functools.lru_cache(maxsize=64)
def _converting_compiler(db):
    """A compiler of `db` to apply converters with (it reads only its connection): building
    a query for it cost more than converting a page."""
    return Claim.objects.none().query.get_compiler(connection=db)


@functools.lru_cache(maxsize=64)
def _page_rows_query(db, sort_key, order: tuple[str, ...]):
    """The rows' part of claims_page_rows for the connection `db` (one per thread, kept open
    across requests) as compiled SQL, its parameters, the names of its columns and their value
    converters (which may be bound to the connection, hence one entry per connection)."""
    page = RawSQL(f"SELECT {PAGE_IDS}.id FROM {PAGE_IDS}", ())  # noqa: S608, S611 - constants
    rows = (
        claims_list_rows(Claim.objects.filter(pk__in=page))
        .annotate(_sort_key=sort_key)
        .order_by(*order)
    )
    query = rows.query
    compiler = query.get_compiler(connection=db)
    sql, params = compiler.as_sql()
    names = [*query.extra_select, *query.values_select, *query.annotation_select]
    fields = [expression for expression, _, _ in compiler.select[: compiler.col_count]]
    return sql, tuple(params), names, compiler.get_converters(fields)


def _topic_slugs_subquery():
    through = Claim.topics.through
    slugs = through.objects.filter(claim_id=OuterRef("pk")).order_by("topic__name")
    return ListSubquery(slugs, "topic__slug")


def claims_topic_slugs(claim_ids: list[int]) -> dict[int, list[str]]:
    """Topic slugs of these claims (by name, as the detail lists them), in one query."""
    slugs: dict[int, list[str]] = {pk: [] for pk in claim_ids}
    through = Claim.topics.through
    for claim_id, slug in (
        through.objects.filter(claim_id__in=claim_ids)
        .order_by("topic__name")
        .values_list("claim_id", "topic__slug")
    ):
        slugs[claim_id].append(slug)
    return slugs
