"""Reads shared by pages and endpoints, with their joins, so a list costs the same few queries."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS, connection
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
from django.db.models.functions import TruncWeek
from django.utils import timezone

from . import permissions
from .expressions import ListSubquery
from .models import (
    ApprovalVote,
    Article,
    Claim,
    ClaimEvent,
    ClaimMatch,
    Evidence,
    PastFactCheck,
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


def list_rows(queryset: QuerySet, *, with_topics: bool = False) -> QuerySet:
    """The claims of `queryset` (filtered and ordered) as LIST_ROW_FIELDS values, with their
    current verdict's state and rating label (`verdict_state`, `verdict_rating`; None when
    there is none) read in the same query; with `with_topics`, their topic names by name too
    (`topic_names`: a page's 50 rows' topics in its own query cost one more round trip)."""
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
    ).values(*LIST_ROW_FIELDS, "verdict_state", "verdict_rating", *extra)


def queue_for(user, limit: int = 100, *, states=None, topics=None) -> QuerySet:
    """A fact-checker's claims, most pressing deadline first, as LIST_ROW_FIELDS values."""
    wanted = [s for s in (states or []) if s in QUEUE_STATES] or QUEUE_STATES
    queryset = Claim.objects.filter(assignee=user, state__in=wanted)
    if topics:
        queryset = queryset.filter(topics__slug__in=topics).distinct()
    return list_rows(queryset.order_by("due_at", "pk"))[:limit]


def recent_articles(limit: int = 20):
    return Article.objects.annotate(
        claim_count=Count("claims"), open_count=Count("claims", filter=Q(claims__state="open"))
    ).order_by("-created_at")[:limit]


# --- The claim page -------------------------------------------------------------------------


def claim_for_page(claim_id: int) -> Claim | None:
    """The claim for its page, with its article, assignee and the claim it repeats (whose
    vector and context the page does not show), for an action on it; the page itself reads
    it with everything shown beside it in one query: `claim_page`."""
    return (
        Claim.objects.select_related("article", "assignee", "duplicate_of")
        .defer("embedding", "duplicate_of__embedding", "duplicate_of__context")
        .filter(pk=claim_id)
        .first()
    )


def topics_with_claims(claims: list[Claim]) -> list[Topic]:
    """Every topic, by name (a topic form's choices), and which of `claims` have each, in one
    query: each claim's `topics` are then read as if prefetched (by name), so a page that
    shows both its claims' topics and the topic choices reads topics once, not twice."""
    ids = [c.pk for c in claims]
    topics = Topic.objects.order_by("name")
    if ids:
        on = Claim.topics.through.objects.filter(topic_id=OuterRef("pk"), claim_id__in=ids)
        topics = topics.annotate(claim_ids=ListSubquery(on.order_by(), "claim_id"))
    topics = list(topics)
    by_claim: dict[int, list[Topic]] = {pk: [] for pk in ids}
    for topic in topics:
        for claim_id in getattr(topic, "claim_ids", ()):
            by_claim[claim_id].append(topic)
    for claim in claims:
        set_prefetched(claim, "topics", by_claim[claim.pk])
    return topics


def set_prefetched(instance, name: str, objects: list) -> None:
    """What prefetch_related leaves on an instance: `instance.<name>.all()` answers from
    `objects` without a query."""
    cached = getattr(instance, name).get_queryset()
    cached._result_cache, cached._prefetch_done = objects, True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = cached


def pick_page_verdicts(verdicts) -> tuple[Verdict | None, Verdict | None]:
    """Of a claim's current and returned verdicts: the current one (at most one) and the
    latest returned one, whose note is what the fact-checker must address (by decision time,
    then id; one not yet decided counts as the latest, as PostgreSQL's descending order puts
    it first)."""
    current = next((v for v in verdicts if v.is_current), None)
    returned = [v for v in verdicts if v.state == Verdict.State.RETURNED]
    undecided = [v for v in returned if v.decided_at is None]
    if undecided:
        return current, max(undecided, key=lambda v: v.pk)
    return current, max(returned, key=lambda v: (v.decided_at, v.pk), default=None)


def claim_verdicts_for_page(claim: Claim) -> tuple[Verdict | None, Verdict | None]:
    """The claim page's two verdicts (`pick_page_verdicts`) in one query, with their rating,
    author, decider and votes."""
    verdicts = list(
        claim.verdicts.filter(Q(is_current=True) | Q(state=Verdict.State.RETURNED))
        .select_related("rating", "author", "decided_by")
        .prefetch_related(Prefetch("votes", queryset=ApprovalVote.objects.select_related("editor")))
    )
    return pick_page_verdicts(verdicts)


@dataclass
class ClaimPageExtras:
    """What the claim page shows beside the claim itself (`claim_page`)."""

    topics: list[Topic]  # every topic by name: the topic form's choices
    history: list[ClaimEvent]  # newest first
    verdict: Verdict | None  # the current one
    returned: Verdict | None  # the latest returned one
    evidence: list[Evidence]
    matches: list[ClaimMatch]
    assignment: ClaimEvent | None  # who gave the claim to its assignee, and why


def json_row_sql(table: str, alias: str, *leave_out: str) -> str:
    """`alias`'s row of `table` as a JSON object (NULL for an outer join's missing row),
    without the columns named."""
    dropped = "".join(f" - '{column}'" for column in leave_out)
    return f"CASE WHEN {alias}.id IS NULL THEN NULL ELSE to_jsonb({alias}){dropped} END"


# Users as pages show them: never their password hash.
_USER = "auth_user", "password"
_CLAIM_PAGE_SQL = f"""SELECT "claims_claim"."id",
  to_jsonb("claims_claim") - 'embedding',
  to_jsonb(a) - 'body',
  a.body,
  {json_row_sql(_USER[0], "asg", _USER[1])},
  (SELECT coalesce(jsonb_agg(jsonb_build_array(
            t.id, t.slug, t.name,
            EXISTS (SELECT 1 FROM "claims_claim_topics" ct
                    WHERE ct.topic_id = t.id AND ct.claim_id = %(claim)s))
          ORDER BY t.name, t.id), '[]')
   FROM "claims_topic" t),
  (SELECT coalesce(jsonb_agg(jsonb_build_array({json_row_sql("claims_claimevent", "e")},
                                               {json_row_sql(_USER[0], "u", _USER[1])})
          ORDER BY e.created_at DESC, e.id DESC), '[]')
   FROM "claims_claimevent" e LEFT JOIN "auth_user" u ON u.id = e.actor_id
   WHERE e.claim_id = %(claim)s),
  (SELECT coalesce(jsonb_agg(jsonb_build_array(
            {json_row_sql("claims_verdict", "v")},
            {json_row_sql("claims_rating", "r")},
            {json_row_sql(_USER[0], "au", _USER[1])},
            {json_row_sql(_USER[0], "de", _USER[1])},
            (SELECT coalesce(jsonb_agg(jsonb_build_array(
                        {json_row_sql("claims_approvalvote", "av")},
                        {json_row_sql(_USER[0], "ed", _USER[1])})
                      ORDER BY av.created_at, av.id), '[]')
             FROM "claims_approvalvote" av JOIN "auth_user" ed ON ed.id = av.editor_id
             WHERE av.verdict_id = v.id))), '[]')
   FROM "claims_verdict" v
   LEFT JOIN "claims_rating" r ON r.id = v.rating_id
   JOIN "auth_user" au ON au.id = v.author_id
   LEFT JOIN "auth_user" de ON de.id = v.decided_by_id
   WHERE v.claim_id = %(claim)s AND (v.is_current OR v.state = %(returned)s)),
  (SELECT coalesce(jsonb_agg(jsonb_build_array({json_row_sql("claims_evidence", "ev")},
                                               {json_row_sql(_USER[0], "ad", _USER[1])})
          ORDER BY ev.created_at, ev.id), '[]')
   FROM "claims_evidence" ev LEFT JOIN "auth_user" ad ON ad.id = ev.added_by_id
   WHERE ev.claim_id = %(claim)s),
  (SELECT coalesce(jsonb_agg(jsonb_build_array(
            {json_row_sql("claims_claimmatch", "m")},
            {json_row_sql("claims_claim", "mc", "embedding", "context")},
            (SELECT jsonb_build_array({json_row_sql("claims_verdict", "mv")},
                                      {json_row_sql("claims_rating", "mr")})
             FROM "claims_verdict" mv LEFT JOIN "claims_rating" mr ON mr.id = mv.rating_id
             WHERE mv.claim_id = mc.id AND mv.is_current),
            {json_row_sql("claims_pastfactcheck", "pf", "embedding")},
            {json_row_sql("claims_rating", "pr")})
          ORDER BY m.similarity DESC, m.id), '[]')
   FROM "claims_claimmatch" m
   LEFT JOIN "claims_claim" mc ON mc.id = m.matched_claim_id
   LEFT JOIN "claims_pastfactcheck" pf ON pf.id = m.past_fact_check_id
   LEFT JOIN "claims_rating" pr ON pr.id = pf.rating_id
   WHERE m.claim_id = %(claim)s)
FROM "claims_claim"
JOIN "claims_article" a ON a.id = "claims_claim"."article_id"
LEFT JOIN "auth_user" asg ON asg.id = "claims_claim"."assignee_id"
WHERE "claims_claim"."id" = %(claim)s
"""  # noqa: S608 (table names only; every value is a parameter)


@functools.cache
def json_builder(model):
    """A function making `model` instances from its rows as JSON objects (to_jsonb): each
    column's JSON value turned into the field's Python value; a column left out is deferred."""
    fields = []
    for field in model._meta.concrete_fields:
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            convert = datetime.fromisoformat
        elif kind == "DateField":
            convert = date.fromisoformat
        elif kind == "FloatField":
            convert = float  # JSON writes 1.0 as 1, and NaN as a string
        elif kind == "BinaryField":
            convert = _bytes_of  # JSON writes bytea as "\\x" and hex digits
        else:
            convert = None
        fields.append((field.attname, field.column, convert))

    def build(row: dict | None):
        if row is None:
            return None
        names, values = [], []
        for attname, column, convert in fields:
            if column in row:
                value = row[column]
                names.append(attname)
                values.append(convert(value) if convert and value is not None else value)
        return model.from_db(DEFAULT_DB_ALIAS, names, values)

    return build


def _bytes_of(text: str) -> bytes:
    return bytes.fromhex(text[2:])


def set_related(instance, name: str, related) -> None:
    """`instance.<name>` set to `related` (None included), as select_related leaves it."""
    instance._state.fields_cache[name] = related


def claim_page(claim_id: int) -> tuple[Claim, ClaimPageExtras] | None:
    """The claim page's claim (with its article, assignee and the claim it repeats) and
    everything shown beside it, in one query whatever their number: every topic (marked on
    `claim.topics`, as `topics_with_claims` does), the history with each actor, the current
    and latest returned verdicts (`pick_page_verdicts`) with rating, author, decider and votes,
    the evidence with who added it, and the "checked before" matches with their claim's
    current verdict or their past fact-check's rating. None: there is no such claim.
    Elsewhere than on PostgreSQL (the SQLite demo) the same from several queries."""
    if connection.vendor != "postgresql":
        claim = claim_for_page(claim_id)
        return None if claim is None else (claim, _claim_page_extras_portable(claim))
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_PAGE_SQL, {"claim": claim_id, "returned": Verdict.State.RETURNED})
        row = cursor.fetchone()
    if row is None:
        return None
    # The article's text as text: it can be long, and JSON would escape it.
    body = row[3]
    claim_row, article_row, assignee_row, *rest = (_json(v) for v in (*row[1:3], *row[4:]))
    topic_rows, event_rows, verdict_rows, evidence_rows, match_rows = rest
    user, claim_of = json_builder(get_user_model()), json_builder(Claim)
    claim = claim_of(claim_row)
    set_related(claim, "article", json_builder(Article)({**article_row, "body": body}))
    set_related(claim, "assignee", user(assignee_row))
    repeats = claim.duplicate_of_id
    # Only its id is shown: a link.
    set_related(claim, "duplicate_of", None if repeats is None else claim_of({"id": repeats}))

    topic = json_builder(Topic)
    topics, own = [], []
    for pk, slug, name, on_claim in topic_rows:
        t = topic({"id": pk, "slug": slug, "name": name})
        topics.append(t)
        if on_claim:
            own.append(t)
    set_prefetched(claim, "topics", own)

    event = json_builder(ClaimEvent)
    history = []
    for row, actor in event_rows:
        history.append(e := event(row))
        set_related(e, "actor", user(actor))

    verdict, rating, vote = json_builder(Verdict), json_builder(Rating), json_builder(ApprovalVote)
    verdicts = []
    for row, rated, author, decider, vote_rows in verdict_rows:
        verdicts.append(v := verdict(row))
        set_related(v, "rating", rating(rated))
        set_related(v, "author", user(author))
        set_related(v, "decided_by", user(decider))
        votes = []
        for vote_row, editor in vote_rows:
            votes.append(ballot := vote(vote_row))
            set_related(ballot, "editor", user(editor))
            set_related(ballot, "verdict", v)
        set_prefetched(v, "votes", votes)
    current, returned = pick_page_verdicts(verdicts)

    evidence_of, evidence = json_builder(Evidence), []
    for row, added_by in evidence_rows:
        evidence.append(ev := evidence_of(row))
        set_related(ev, "added_by", user(added_by))

    match, past = json_builder(ClaimMatch), json_builder(PastFactCheck)
    matches = []
    for row, matched, matched_verdict, past_row, past_rating in match_rows:
        matches.append(m := match(row))
        other = claim_of(matched)
        if other is not None:
            other.current_verdicts = []
            if matched_verdict is not None:
                other.current_verdicts.append(v := verdict(matched_verdict[0]))
                set_related(v, "rating", rating(matched_verdict[1]))
        set_related(m, "matched_claim", other)
        fact_check = past(past_row)
        if fact_check is not None:
            set_related(fact_check, "rating", rating(past_rating))
        set_related(m, "past_fact_check", fact_check)

    return claim, ClaimPageExtras(
        topics=topics,
        history=history,
        verdict=current,
        returned=returned,
        evidence=evidence,
        matches=matches,
        assignment=_assignment_event(claim, history),
    )


def _assignment_event(claim: Claim, history: list[ClaimEvent]) -> ClaimEvent | None:
    """Who gave the claim to its assignee and why: the latest assign/reassign event.

    The same reason is stored on the reviewers app's Assignment; reading it from the audit
    trail keeps claims independent of reviewers.
    """
    if claim.assignee_id is None:
        return None
    return next((e for e in history if e.transition in {"assign", "reassign"}), None)


def _claim_page_extras_portable(claim: Claim) -> ClaimPageExtras:
    """`claim_page`'s extras where PostgreSQL's JSON functions are not at hand (several
    queries)."""
    topics = topics_with_claims([claim])
    history = list(claim.events.select_related("actor").order_by("-created_at", "-pk"))
    current, returned = claim_verdicts_for_page(claim)
    matches = list(
        claim.matches.select_related("matched_claim", "past_fact_check__rating")
        .defer("matched_claim__embedding", "past_fact_check__embedding")
        .prefetch_related(
            Prefetch(
                "matched_claim__verdicts",
                queryset=Verdict.objects.current().select_related("rating"),
                to_attr="current_verdicts",
            )
        )
        .order_by("-similarity", "pk")
    )
    return ClaimPageExtras(
        topics=topics,
        history=history,
        verdict=current,
        returned=returned,
        evidence=list(claim.evidence.select_related("added_by").order_by("created_at", "pk")),
        matches=matches,
        assignment=_assignment_event(claim, history),
    )


def active_ratings() -> list[Rating]:
    return list(Rating.objects.filter(active=True, scale="default").order_by("position"))


def all_topics() -> list[Topic]:
    return list(Topic.objects.order_by("name"))


def fact_checkers():
    """Active people who can be given claims (the workflow's own test: the work_claim right)."""
    return permissions.users_with_permission("claims.work_claim").order_by("username")


# --- Editors' pages -------------------------------------------------------------------------


def approvals_queue() -> QuerySet:
    """Submitted verdicts, oldest first, with claim, article, evidence and votes.

    Ordered by the current verdict's submission through a join on that one verdict (at most
    one is current), not an aggregate over every verdict: no GROUP BY, and the pager's count
    is a plain count. The claim's vector and context and the article's text are not read."""
    return (
        Claim.objects.filter(state=Claim.State.SUBMITTED)
        .annotate(
            current_verdict=FilteredRelation("verdicts", condition=Q(verdicts__is_current=True)),
            submitted_at=F("current_verdict__submitted_at"),
        )
        .select_related("article", "assignee")
        .defer("embedding", "context", "article__body")
        .prefetch_related(
            "topics",
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
    return Claim.objects.filter(state=Claim.State.SUBMITTED).count()


ARTICLE_SENTENCES_PER_PAGE = 100
ARTICLE_TEXT_MAX_CHARS = 50_000


def article_page(article_id: int) -> Article | None:
    """The article for its page, without its claims (they come a page at a time)."""
    return Article.objects.select_related("submitted_by").filter(pk=article_id).first()


def article_sentences(article: Article) -> QuerySet:
    """The article's filed sentences, by position, with their assignees."""
    return (
        Claim.objects.filter(article_id=article.pk)
        .select_related("assignee")
        .defer("embedding", "context")
        .order_by("position")
    )


def article_sentences_page(article: Article, page_number, *, per_page: int | None = None):
    """One page of the article's filed sentences (by position) and the article's counts by
    state, in a fixed number of queries however long the article: an article of 3,800
    sentences renders 100 of them, not 3,800."""
    claims = article_sentences(article)  # their topics: `topics_with_claims`, with the choices
    counts = Claim.objects.filter(article_id=article.pk).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(state=Claim.State.OPEN)),
        candidates=Count("pk", filter=Q(state=Claim.State.CANDIDATE)),
    )
    paginator = Paginator(claims, per_page or ARTICLE_SENTENCES_PER_PAGE)
    paginator.count = counts["total"]  # the pager's count is the aggregate's: not counted twice
    return paginator.get_page(page_number), counts


def article_text_of(article: Article, claims: list[Claim]) -> tuple[str, bool]:
    """The part of the article's text these sentences come from (all of it for a short
    article), at most ARTICLE_TEXT_MAX_CHARS; and whether it was cut."""
    body = article.body
    if len(body) <= ARTICLE_TEXT_MAX_CHARS:
        return body, False
    start = min((c.start_offset for c in claims), default=0)
    end = max((c.end_offset for c in claims), default=ARTICLE_TEXT_MAX_CHARS)
    end = min(end, start + ARTICLE_TEXT_MAX_CHARS)
    return body[start:end], True


def article_for_triage(article_id: int) -> Article | None:
    return (
        Article.objects.select_related("submitted_by")
        .prefetch_related(
            Prefetch(
                "claims",
                queryset=Claim.objects.select_related("assignee")
                .prefetch_related("topics")
                .order_by("position"),
            )
        )
        .filter(pk=article_id)
        .first()
    )


# --- Reports --------------------------------------------------------------------------------

TIME_TO_VERDICT_BUCKETS = [
    ("under 4 h", timedelta(hours=4)),
    ("4–24 h", timedelta(hours=24)),
    ("1–3 days", timedelta(days=3)),
    ("3–7 days", timedelta(days=7)),
    ("over 7 days", None),
]


def _report_weeks(weeks: int, now) -> list:
    start = (now - timedelta(weeks=weeks - 1)).date()
    start = start - timedelta(days=start.weekday())  # Monday
    return [start + timedelta(weeks=i) for i in range(weeks)]


def _local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def report_figures(claims: QuerySet, *, weeks: int = 12, now=None) -> dict:
    """The reports page's four series, for the claims a ClaimFilter selected.

    On PostgreSQL one query: the chosen claims are read once, counted by state with one
    FILTER clause per state; their approved verdicts are counted by rating, by week and by
    time to verdict with FILTER clauses, the median is percentile_cont, and the active ratings
    come along as JSON. Elsewhere (the SQLite demo) the same figures from several queries."""
    now = now or timezone.now()
    if connection.vendor != "postgresql":
        return _report_figures_portable(claims, weeks=weeks, now=now)
    mondays = _report_weeks(weeks, now)
    bounds = [_local_midnight(m) for m in [*mondays, mondays[-1] + timedelta(weeks=1)]]
    try:
        chosen_sql, chosen_params = (
            claims.order_by().values("pk", "state", "created_at").query.sql_with_params()
        )
    except EmptyResultSet:  # claims.none()
        chosen_sql, chosen_params = "SELECT NULL::bigint, '', NULL::timestamptz WHERE false", ()
    states = [value for value, _label in Claim.State.choices]
    by_state_sql = ", ".join("count(*) FILTER (WHERE c.state = %s)" for _ in states)
    timed = "v.is_current AND v.decided_at IS NOT NULL"
    duration = "(v.decided_at - v.created_at)"
    week_sql = ", ".join(
        "count(*) FILTER (WHERE v.decided_at >= %s AND v.decided_at < %s)" for _ in mondays
    )
    week_params = [b for i in range(len(mondays)) for b in (bounds[i], bounds[i + 1])]
    bucket_sql, bucket_params, lower = [], [], timedelta(0)
    for _label, upper in TIME_TO_VERDICT_BUCKETS:
        if upper is None:
            bucket_sql.append(f"count(*) FILTER (WHERE {timed} AND {duration} >= %s)")
            bucket_params += [lower]
        else:
            bucket_sql.append(
                f"count(*) FILTER (WHERE {timed} AND {duration} >= %s AND {duration} < %s)"
            )
            bucket_params += [lower, upper]
        lower = upper or lower
    verdict, rating = Verdict._meta.db_table, Rating._meta.db_table
    sql = f"""
        WITH chosen (id, state, created_at) AS MATERIALIZED ({chosen_sql}),
        approved AS (
            SELECT v.rating_id, v.is_current, v.decided_at, c.created_at
            FROM {verdict} v JOIN chosen c ON c.id = v.claim_id
            WHERE v.state = %s
        )
        SELECT s.*, a.*, (
            SELECT coalesce(json_agg(json_build_array(r.id, r.slug, r.label)
                                     ORDER BY r.position, r.id), '[]'::json)
            FROM {rating} r WHERE r.active AND r.scale = 'default'
        ) AS ratings
        FROM (SELECT {by_state_sql} FROM chosen c) s
        CROSS JOIN (
            SELECT
                (SELECT coalesce(json_object_agg(rating_id, n), '{{}}'::json) FROM (
                    SELECT rating_id, count(*) AS n FROM approved
                    WHERE is_current AND rating_id IS NOT NULL GROUP BY rating_id) per_rating),
                {week_sql},
                {", ".join(bucket_sql)},
                percentile_cont(0.5) WITHIN GROUP (ORDER BY {duration}) FILTER (WHERE {timed}),
                count(*) FILTER (WHERE {timed})
            FROM approved v
        ) a
    """  # noqa: S608 (table names and placeholders only; every value is a parameter)
    params = [
        *chosen_params,
        Verdict.State.APPROVED,
        *states,
        *week_params,
        *bucket_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = list(cursor.fetchone())
    state_counts, row = row[: len(states)], row[len(states) :]
    rating_counts, row = row[0], row[1:]
    week_counts, row = row[: len(mondays)], row[len(mondays) :]
    bucket_counts, row = row[: len(TIME_TO_VERDICT_BUCKETS)], row[len(TIME_TO_VERDICT_BUCKETS) :]
    median_duration, approved_count, ratings = row
    rating_counts = _json(rating_counts)
    return {
        "total": sum(state_counts),
        "by_state": [
            (value, label, n)
            for (value, label), n in zip(Claim.State.choices, state_counts, strict=True)
        ],
        "by_rating": [
            (slug, label, rating_counts.get(str(pk), 0)) for pk, slug, label in _json(ratings)
        ],
        "per_week": list(zip(mondays, week_counts, strict=True)),
        "time_to_verdict": [
            (label, n)
            for (label, _upper), n in zip(TIME_TO_VERDICT_BUCKETS, bucket_counts, strict=True)
        ],
        "median_time_to_verdict": median_duration,
        "approved_count": approved_count,
    }


def _json(value):
    # psycopg decodes json columns; a driver that does not gives text.
    return json.loads(value) if isinstance(value, str) else value


def _report_figures_portable(claims: QuerySet, *, weeks: int, now) -> dict:
    """report_figures where PostgreSQL's FILTER/percentile_cont are not at hand."""
    chosen = Claim.objects.filter(pk__in=claims.values("pk"))
    by_state_counts = dict(
        chosen.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    by_state = [
        (value, label, by_state_counts.get(value, 0)) for value, label in Claim.State.choices
    ]

    approved = Verdict.objects.current().filter(claim__in=chosen, state=Verdict.State.APPROVED)
    rating_counts = dict(
        approved.order_by()
        .values_list("rating_id")
        .annotate(n=Count("pk"))
        .values_list("rating_id", "n")
    )
    by_rating = [(r.slug, r.label, rating_counts.get(r.pk, 0)) for r in active_ratings()]

    start = (now - timedelta(weeks=weeks - 1)).date()
    start = start - timedelta(days=start.weekday())  # Monday
    week_counts = {
        (w.date() if hasattr(w, "date") else w): n
        for w, n in Verdict.objects.filter(
            claim__in=chosen,
            state=Verdict.State.APPROVED,
            decided_at__date__gte=start,
        )
        .order_by()
        .annotate(week=TruncWeek("decided_at"))
        .values_list("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    }
    per_week = []
    for i in range(weeks):
        monday = start + timedelta(weeks=i)
        per_week.append((monday, week_counts.get(monday, 0)))

    durations = [
        decided - filed
        for filed, decided in approved.filter(decided_at__isnull=False).values_list(
            "claim__created_at", "decided_at"
        )
    ]
    buckets = []
    lower = timedelta(0)
    for label, upper in TIME_TO_VERDICT_BUCKETS:
        n = sum(1 for d in durations if d >= lower and (upper is None or d < upper))
        buckets.append((label, n))
        lower = upper or lower
    return {
        "total": sum(by_state_counts.values()),
        "by_state": by_state,
        "by_rating": by_rating,
        "per_week": per_week,
        "time_to_verdict": buckets,
        "median_time_to_verdict": median(durations) if durations else None,
        "approved_count": len(durations),
    }
