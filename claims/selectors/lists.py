"""The claim lists' reads: the listing's joins, a list page's rows as plain values (current
verdict and topic names in the same query), a fact-checker's queue, the approvals queue."""

from __future__ import annotations

import functools

from django.db import connection, connections
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from factcheck.db import prepared_cursor

from .. import permissions, state_counts, statements
from ..expressions import ListSubquery
from ..models import (
    ApprovalVote,
    Article,
    Claim,
    Evidence,
    Rating,
    Topic,
    Verdict,
)

QUEUE_STATES = [*(s for s in Claim.State if s in Claim.WORKING_STATES), Claim.State.SUBMITTED]


def claims_base():
    return Claim.objects.select_related("article", "assignee").prefetch_related("topics")


def current_verdicts_prefetch() -> Prefetch:
    """Each claim's current verdict (0 or 1) as `claim.current_verdicts`, in one query."""
    return Prefetch(
        "verdicts",
        queryset=Verdict.objects.current().select_related("rating", "author"),
        to_attr="current_verdicts",
    )


def claims_listing() -> QuerySet:
    """Claims for lists: article, assignee, topics and current verdict's rating, no N+1."""
    return claims_base().prefetch_related(current_verdicts_prefetch())


# What a row of the claims list and of the queue shows, read as plain values (no model
# instances, no article body): the page's main query.
LIST_ROW_FIELDS = (
    "pk",
    "version",
    "text",
    "claimant",
    "state",
    "priority",
    "score",
    "due_at",
    "created_at",
    "article__title",
    "article__publisher",
    "assignee__username",
)


def list_rows(
    queryset: QuerySet, *, with_topics: bool = False, fields: tuple[str, ...] = LIST_ROW_FIELDS
) -> QuerySet:
    """The claims of `queryset` (filtered and ordered) as `fields` values (LIST_ROW_FIELDS
    unless told), with their current verdict's state and rating label (`verdict_state`,
    `verdict_rating`; None when there is none) read in the same query; with `with_topics`,
    their topic names by name too (`topic_names`: a page's 50 rows' topics in its own query
    cost one more round trip)."""
    current = Verdict.objects.current().filter(claim_id=OuterRef("pk")).order_by()
    extra = {}
    if with_topics:
        names = Claim.topics.through.objects.filter(claim_id=OuterRef("pk")).order_by(
            "topic__name", "topic_id"
        )
        extra["topic_names"] = ListSubquery(names, "topic__name")
    return queryset.annotate(
        verdict_state=Subquery(current.values("state")[:1]),
        verdict_rating=Subquery(current.values("rating__label")[:1]),
        **extra,
    ).values(*fields, "verdict_state", "verdict_rating", *extra)


# The claims list's order: newest first.
NEWEST_FIRST = ("-created_at", "-pk")


class CompiledRows:
    """Every claim as `list_rows(..., with_topics=True)` values, newest first, for a
    paginator: a slice runs the statement compiled once (`_newest_claims_sql`) with the
    slice's LIMIT and OFFSET, prepared on PostgreSQL (factcheck/db.py); no count (the page
    gives the paginator its own)."""

    ordered = True  # for Paginator: the statement has its ORDER BY

    def __init__(self, sql: str, params: tuple, names: tuple[str, ...]):
        self.sql, self.params, self.names = sql, params, names

    def __getitem__(self, window: slice) -> list[dict]:
        start = int(window.start or 0)
        # LIMIT and OFFSET written in (integers): a statement per page, prepared (planning
        # cost as much as running it); as parameters PostgreSQL would plan it every time,
        # its generic plan guessing at an unknown LIMIT.
        with prepared_cursor() as cursor:
            cursor.execute(
                f"{self.sql} LIMIT {int(window.stop) - start} OFFSET {start}", self.params
            )
            return [dict(zip(self.names, row, strict=True)) for row in cursor.fetchall()]


@functools.lru_cache(maxsize=4)
def _newest_claims_sql(alias: str, vendor: str):
    return _compiled_values(
        list_rows(Claim.objects.order_by(*NEWEST_FIRST), with_topics=True), alias
    )


def newest_claims_rows() -> CompiledRows | QuerySet:
    """Every claim, newest first, as the claims list's rows (`list_rows` with topic names),
    for a paginator to read a page of: the statement compiled once per process (building and
    compiling it cost the list more than running it), or the ORM's queryset where a column
    needs Django's converters on this database."""
    compiled = _newest_claims_sql(connection.alias, connection.vendor)
    if compiled is None:
        return list_rows(Claim.objects.order_by(*NEWEST_FIRST), with_topics=True)
    return CompiledRows(*compiled)


# What a row of a fact-checker's queue shows (claims.views.rows.queue_rows): LIST_ROW_FIELDS
# without what the queue does not show (version, score, when filed, the assignee: the reader).
QUEUE_ROW_FIELDS = (
    "pk",
    "text",
    "claimant",
    "state",
    "priority",
    "due_at",
    "article__title",
    "article__publisher",
)


def _queue_queryset(assignee_id: int, wanted: list[str], topics, limit: int) -> QuerySet:
    queryset = Claim.objects.filter(assignee_id=assignee_id, state__in=wanted)
    if topics:
        queryset = queryset.filter(topics__slug__in=topics).distinct()
    return list_rows(queryset.order_by("due_at", "pk"), fields=QUEUE_ROW_FIELDS)[:limit]


def _compiled_values(queryset: QuerySet, alias: str):
    """A values() queryset's SQL, its parameters and its columns' names, compiled once;
    None when a column needs Django's converters on this database (then the ORM must read
    it every time)."""
    query = queryset.query
    compiler = query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    if compiler.get_converters([column for column, _, _ in compiler.select]):
        return None
    names = (
        tuple(query.selected)
        if query.selected
        else (*query.extra_select, *query.values_select, *query.annotation_select)
    )
    return sql, tuple(params), names


# An assignee id no account has: where the compiled queue SQL takes the reader's id.
_QUEUE_READER = -987654321


@functools.lru_cache(maxsize=32)
def _queue_sql(wanted: tuple[str, ...], limit: int, alias: str, vendor: str):
    """The queue's SQL for these states (no topic filter), compiled once per process (Django
    builds and compiles it in ~0.7 ms a request): (SQL, its parameters with the reader's id as
    a slot of claims.statements, the columns' names); None when a column needs Django's
    converters on this database (then the ORM reads it every time). On PostgreSQL it is run
    as a prepared statement, planned once per connection."""
    compiled = _compiled_values(_queue_queryset(_QUEUE_READER, list(wanted), None, limit), alias)
    if compiled is None:
        return None
    sql, params, names = compiled
    slots = statements.slots_of(params, {"reader": _QUEUE_READER})
    if slots is None:
        return None
    if vendor == "postgresql":
        # Prepared (queue_for): the states written in, so that its plan, made once, may use
        # the queue's partial index; only the reader stays a parameter.
        ops = connections[alias].ops
        sql, slots = statements.inline_constants(sql, slots, lambda v: ops.compose_sql("%s", [v]))
    return sql, slots, names


def queue_for(user, limit: int = 100, *, states=None, topics=None) -> list[dict]:
    """A fact-checker's claims, most pressing deadline first, as QUEUE_ROW_FIELDS values
    (with `verdict_state`, `verdict_rating`): one query, its SQL compiled once per choice of
    states when no topic is chosen."""
    wanted = [s for s in (states or []) if s in QUEUE_STATES] or list(QUEUE_STATES)
    compiled = None
    if not topics:
        compiled = _queue_sql(tuple(wanted), limit, connection.alias, connection.vendor)
    if compiled is None:
        return list(_queue_queryset(user.pk, wanted, topics, limit))
    sql, slots, names = compiled
    with prepared_cursor() as cursor:
        cursor.execute(sql, statements.fill(slots, {"reader": user.pk}))
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def recent_articles(limit: int = 20):
    return Article.objects.annotate(
        claim_count=Count("claims"), open_count=Count("claims", filter=Q(claims__state="open"))
    ).order_by("-created_at")[:limit]


# --- Editors' pages -------------------------------------------------------------------------


def approvals_queue() -> QuerySet:
    """Submitted verdicts, oldest first, with claim, article, evidence and votes.

    Ordered by the current verdict's submission through a join on that one verdict (at most
    one is current), not an aggregate over every verdict: no GROUP BY, and the pager's count
    is a plain count. Only what a panel shows is read (the claim's text, state, claimant and
    version; the article's title and outlet)."""
    return (
        Claim.objects.filter(state=Claim.State.SUBMITTED)
        .annotate(
            current_verdict=FilteredRelation("verdicts", condition=Q(verdicts__is_current=True)),
            submitted_at=F("current_verdict__submitted_at"),
        )
        .select_related("article")
        .only(
            "text",
            "state",
            "claimant",
            "version",
            "article",
            "article__title",
            "article__publisher",
        )
        .prefetch_related(
            Prefetch(
                "verdicts",
                queryset=Verdict.objects.current()
                .select_related("rating", "author")
                .prefetch_related(
                    Prefetch("votes", queryset=ApprovalVote.objects.select_related("editor"))
                ),
                to_attr="current_verdicts",
            ),
            Prefetch("evidence", queryset=Evidence.objects.order_by("created_at", "pk")),
        )
        .order_by("submitted_at", "pk")
    )


def approvals_waiting_count() -> int:
    """How many verdicts wait for an editor: the claims submitted, from the counts the
    database keeps a state (claims/state_counts.py)."""
    return state_counts.count([Claim.State.SUBMITTED])


def count_sql(queryset: QuerySet) -> tuple[str, list]:
    """SQL of how many rows `queryset` has (its ids only, without the order), and its
    parameters."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return f"SELECT COUNT(*) FROM ({sql}) AS counted", list(params)  # noqa: S608 (the ORM's SQL)


# --- Choices ---------------------------------------------------------------------------------


def active_ratings() -> list[Rating]:
    return list(Rating.objects.filter(active=True, scale="default").order_by("position"))


def all_topics() -> list[Topic]:
    return list(Topic.objects.order_by("name"))


def fact_checkers():
    """Active people who can be given claims (the workflow's own test: the work_claim right)."""
    return permissions.users_with_permission("claims.work_claim").order_by("username")
