"""The claims list's common request, answered from a statement compiled once.

Most requests of the list name only `state`, `topic`, `ordering`, `page_size` and `cursor` (a
client paging through a filtered list). When every one of those values is one the filters
accept, the page statement differs from the last such request of the same shape (how many
states and topics, the order, whether there is a cursor and which way it reads, the page size)
only in its parameters. So it is built once per shape and connection, through the list's own
filters (ApiClaimFilter's) and pagination (ClaimCursorPagination.page_of) with stand-in values,
and each request puts its values where the stand-ins are: no form, no queryset, no compiling.

Anything else takes the full path (django-filter, its validation and its error messages, which
this module never words itself): another filter, a repeated single-valued input, a value the
filters or the cursor would refuse, or one they would accept only after a conversion.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import DEFAULT_DB_ALIAS, connections
from django.db import models as db_models

from claims import statements
from claims.models import Claim

from . import selectors
from .filtering import MAX_PAGE_SIZE
from .pagination import ClaimCursorPagination

PLAIN_INPUTS = frozenset({"state", "topic", "ordering", "page_size", "cursor"})
STATES = frozenset(Claim.State.values)


@dataclass(frozen=True)
class PlainRequest:
    states: tuple[str, ...]  # distinct, as the filters read them
    topics: tuple[str, ...]  # distinct topic slugs (whether each exists is the page's to say)
    sort: str  # a ClaimCursorPagination.SORT_KEYS name
    descending: bool
    page_size: int
    cursor: tuple | None  # (value, id, backwards), as the paginator decodes it

    @property
    def shape(self) -> tuple:
        backwards = bool(self.cursor and self.cursor[2])
        return (
            len(self.states),
            len(self.topics),
            self.sort,
            self.descending,
            self.page_size,
            self.cursor is not None,
            backwards,
        )


def plain_request(params, paginator: ClaimCursorPagination) -> PlainRequest | None:
    """The request's inputs when they are the common ones, each given as the full path accepts
    it unchanged; None when the full path must read them."""
    if not PLAIN_INPUTS.issuperset(params):
        return None
    states = params.getlist("state")
    if not STATES.issuperset(states):
        return None
    topics = params.getlist("topic")
    # TopicSlugsField's rule (no NUL character), and no empty slug: no topic has one.
    if not all(topics) or any("\x00" in slug for slug in topics):
        return None
    single = {}
    for name in ("ordering", "page_size", "cursor"):
        values = params.getlist(name)
        if len(values) > 1:
            return None
        single[name] = values[0] if values else None
    ordering = single["ordering"]
    if ordering is None:
        ordering = paginator.default_ordering
    sort = ordering.removeprefix("-")
    if sort not in paginator.SORT_KEYS:
        return None
    page_size = paginator.page_size
    if single["page_size"] is not None:
        raw = single["page_size"]
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_PAGE_SIZE):
            return None
        page_size = int(raw)
    cursor = None
    if single["cursor"]:
        cursor = paginator.decode_plain_cursor(single["cursor"], paginator.SORT_KEYS[sort][1])
        if cursor is None:
            return None
    elif single["cursor"] is not None:  # `cursor=`: the full path reads it as no cursor
        return None
    return PlainRequest(
        states=tuple(sorted(set(states))),
        topics=tuple(sorted(set(topics))),
        sort=sort,
        descending=ordering.startswith("-"),
        page_size=page_size,
        cursor=cursor,
    )


def page_rows(request: PlainRequest) -> list[dict]:
    """The rows of the page (one more than the page size, as ClaimCursorPagination.page_of
    reads), in one query: claims_page_rows's statement, compiled once per shape."""
    db = connections[DEFAULT_DB_ALIAS]
    template = _template(db, request.shape)
    if template is None:  # SQLite with a cursor in time: its times are bound as text
        return selectors.claims_page_fetch(_statement(db, request))
    sql, slots, names, converters = template
    params = tuple(statements.fill(slots, _values(request)))
    return selectors.claims_page_fetch((sql, params, names, converters))


# Stand-in values, one per slot, that no request or constant of the statement holds: NUL
# characters (no request value reaching here has one) and numbers and a time no cursor holds
# (a compiled statement is checked to hold each exactly where a slot is).
_CURSOR_STAND_INS = {
    db_models.DateTimeField: datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC),
    db_models.FloatField: -1.2345678901234567e-300,
    db_models.CharField: "\x00cursor-value",
    db_models.BigIntegerField: -(2**62) - 12345,
}
_PK_STAND_IN = -(2**62) - 54321


def _stand_ins(shape: tuple) -> PlainRequest:
    states, topics, sort, descending, page_size, has_cursor, backwards = shape
    cursor = None
    if has_cursor:
        field = type(ClaimCursorPagination.SORT_KEYS[sort][1])
        cursor = (_CURSOR_STAND_INS[field], _PK_STAND_IN, backwards)
    return PlainRequest(
        states=tuple(f"\x00state-{i:04d}" for i in range(states)),
        topics=tuple(f"\x00topic-{i:04d}" for i in range(topics)),
        sort=sort,
        descending=descending,
        page_size=page_size,
        cursor=cursor,
    )


def _values(request: PlainRequest) -> dict[str, object]:
    """Each slot's value for this request."""
    values: dict[str, object] = {}
    for i, state in enumerate(request.states):
        values[f"state-{i}"] = state
    for i, slug in enumerate(request.topics):
        values[f"topic-{i}"] = slug
    if request.cursor is not None:
        values["cursor-value"], values["cursor-id"] = request.cursor[0], request.cursor[1]
    return values


def _statement(db, request: PlainRequest):
    """The page statement of `request` built as the full path builds it: the list's filters,
    then the paginator's order, cursor and limit."""
    from .views.claims import ApiClaimFilter  # the views import this module

    filterset = ApiClaimFilter(data={"state": (), "topic": ()}, queryset=Claim.objects.all())
    queryset = Claim.objects.all()
    if request.states:
        queryset = filterset.filters["state"].filter(queryset, list(request.states))
    if request.topics:
        queryset = filterset.filters["topic"].filter(queryset, list(request.topics))
    page, sort_key, order = ClaimCursorPagination.page_of(
        queryset, request.sort, request.descending, request.cursor, request.page_size
    )
    return selectors.claims_page_statement(page, sort_key, order, db=db)


@functools.lru_cache(maxsize=256)
def _template(db, shape: tuple):
    """The page statement of `shape` for the connection `db`, its parameters as slots (a
    request's values) and constants; None if a stand-in is not found where the statement
    should hold it (then each request builds its statement)."""
    stand_ins = _stand_ins(shape)
    sql, params, names, converters = _statement(db, stand_ins)
    slots = statements.slots_of(params, _values(stand_ins))
    if slots is None or "\x00" in sql:
        return None
    changed = (p for p in slots if isinstance(p, str) and not isinstance(p, statements.Slot))
    if any("\x00" in p for p in changed):
        return None  # a stand-in changed on its way in: the request's value would too
    return sql, slots, names, converters
