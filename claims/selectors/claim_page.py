"""The claim page's reads: the claim with everything shown beside it in one statement on
PostgreSQL (each part as JSON built into model instances), the ORM's reads elsewhere."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import (
    OuterRef,
    Prefetch,
    Q,
)

from factcheck.db import prepared_cursor

from ..expressions import ListSubquery
from ..models import (
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
    figures: dict[str, int] | None = None  # the figures asked for, where they were read


def json_row_sql(table: str, alias: str, *leave_out: str) -> str:
    """`alias`'s row of `table` as a JSON object (NULL for an outer join's missing row),
    without the columns named."""
    dropped = "".join(f" - '{column}'" for column in leave_out)
    return f"CASE WHEN {alias}.id IS NULL THEN NULL ELSE to_jsonb({alias}){dropped} END"


# Users as pages show them: never their password hash.
_USER = "auth_user", "password"


def user_json_sql(alias: str) -> str:
    """`alias`'s row of the users' table as JSON, as pages show a user (no password hash)."""
    return json_row_sql(_USER[0], alias, _USER[1])


def votes_json_sql(verdict: str) -> str:
    """The votes on the verdict `verdict` (an alias in the statement) as a JSON array, oldest
    first (ApprovalVote's order), each [the vote, its editor]."""
    return f"""(SELECT coalesce(jsonb_agg(jsonb_build_array(
                        {json_row_sql("claims_approvalvote", "av")},
                        {json_row_sql(_USER[0], "ed", _USER[1])})
                      ORDER BY av.created_at, av.id), '[]')
             FROM "claims_approvalvote" av JOIN "auth_user" ed ON ed.id = av.editor_id
             WHERE av.verdict_id = {verdict}.id)"""  # noqa: S608 (table names; an alias)


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
            {votes_json_sql("v")})), '[]')
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
   WHERE m.claim_id = %(claim)s)"""  # noqa: S608 (table names only; every value is a parameter)
_CLAIM_PAGE_FROM = """
FROM "claims_claim"
JOIN "claims_article" a ON a.id = "claims_claim"."article_id"
LEFT JOIN "auth_user" asg ON asg.id = "claims_claim"."assignee_id"
WHERE "claims_claim"."id" = %(claim)s
"""


def _with_figures(figures: dict[str, tuple[str, list]]) -> tuple[str, dict]:
    """The claim page's statement with one more column a figure (name -> (SQL of one number
    with `%s` parameters, the parameters)), and those parameters by the names given them."""
    columns, params = [], {}
    for n, (sql, values) in enumerate(figures.values()):
        parts = sql.split("%s")
        if len(parts) != len(values) + 1:
            raise ValueError(f"A figure's SQL has one %s a parameter: {sql!r} with {values!r}")
        names = [f"figure_{n}_{i}" for i in range(len(values))]
        columns.append(
            parts[0]
            + "".join(f"%({name})s{part}" for name, part in zip(names, parts[1:], strict=True))
        )
        params.update(zip(names, values, strict=True))
    extra = "".join(f",\n  ({column})" for column in columns)
    return _CLAIM_PAGE_SQL + extra + _CLAIM_PAGE_FROM, params


def json_value(value):
    """A JSON column's value: psycopg decodes json columns; a driver that does not gives text."""
    return json.loads(value) if isinstance(value, str) else value


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


def claim_page(
    claim_id: int, figures: dict[str, tuple[str, list]] | None = None
) -> tuple[Claim, ClaimPageExtras] | None:
    """The claim page's claim (with its article, assignee and the claim it repeats) and
    everything shown beside it, in one query whatever their number: every topic (marked on
    `claim.topics`, as `topics_with_claims` does), the history with each actor, the current
    and latest returned verdicts (`pick_page_verdicts`) with rating, author, decider and votes,
    the evidence with who added it, and the "checked before" matches with their claim's
    current verdict or their past fact-check's rating. None: there is no such claim.
    `figures`: numbers the page shows besides (name -> (SQL of one number, parameters): the
    header's), read in the same statement into `extras.figures`.
    Elsewhere than on PostgreSQL (the SQLite demo) the same from several queries, and no
    figures."""
    if connection.vendor != "postgresql":
        claim = claim_for_page(claim_id)
        return None if claim is None else (claim, claim_page_extras_portable(claim))
    figures = figures or {}
    sql, params = _with_figures(figures)
    with prepared_cursor() as cursor:
        cursor.execute(sql, {"claim": claim_id, "returned": Verdict.State.RETURNED, **params})
        row = cursor.fetchone()
    if row is None:
        return None
    numbers = dict(zip(figures, (int(n or 0) for n in row[len(row) - len(figures) :]), strict=True))
    row = row[: len(row) - len(figures)]
    # The article's text as text: it can be long, and JSON would escape it.
    body = row[3]
    claim_row, article_row, assignee_row, *rest = (json_value(v) for v in (*row[1:3], *row[4:]))
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
        figures=numbers,
    )


def _assignment_event(claim: Claim, history: list[ClaimEvent]) -> ClaimEvent | None:
    """Who gave the claim to its assignee and why: the latest assign/reassign event.

    The same reason is stored on the reviewers app's Assignment; reading it from the audit
    trail keeps claims independent of reviewers.
    """
    if claim.assignee_id is None:
        return None
    return next((e for e in history if e.transition in {"assign", "reassign"}), None)


def claim_page_extras_portable(claim: Claim) -> ClaimPageExtras:
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
