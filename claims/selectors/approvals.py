"""The approvals queue's page in one statement on PostgreSQL: a page of submitted claims, oldest
verdict first, each with what its panel shows (claims.views.rows.approval_panels): the claim's
text, state, claimant and version, its article's title and outlet, its current verdict with
rating, author and votes (each with its editor), and its evidence.

Through the ORM that page was four queries (the claims, then their verdicts, votes and evidence
prefetched), and building, compiling and prefetching them cost the page several times their
SQL. Here the verdict and the evidence come as JSON beside each claim (as the claim page reads
its own: claims.selectors.claim_page) and are made into the same model instances the ORM gives,
so the view and the panels do not know which path read them. Elsewhere than on PostgreSQL (the
SQLite demo) the page is the ORM's `approvals_queue`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet

from factcheck.db import prepared_cursor

from ..models import ApprovalVote, Article, Claim, Evidence, Rating, Verdict
from .claim_page import (
    json_builder,
    json_row_sql,
    json_value,
    set_prefetched,
    set_related,
    user_json_sql,
    votes_json_sql,
)
from .lists import approvals_queue

# The claims' order is approvals_queue's: the current verdict's submission time (NULLs last,
# as PostgreSQL sorts them ascending), then the claim's id. {window}: LIMIT and OFFSET, written
# in (one plan a page size; as parameters every run would be planned again).
_PAGE_SQL = f"""SELECT c.id, c.text, c.state, c.claimant, c.version, c.article_id,
  a.title, a.publisher, p.submitted_at,
  (SELECT jsonb_build_array(
            {json_row_sql("claims_verdict", "v")},
            {json_row_sql("claims_rating", "r")},
            {user_json_sql("au")},
            {votes_json_sql("v")})
   FROM "claims_verdict" v
   LEFT JOIN "claims_rating" r ON r.id = v.rating_id
   LEFT JOIN "auth_user" au ON au.id = v.author_id
   WHERE v.id = p.verdict_id),
  (SELECT coalesce(jsonb_agg(to_jsonb(ev) ORDER BY ev.created_at, ev.id), '[]')
   FROM "claims_evidence" ev WHERE ev.claim_id = p.id)
FROM (
  SELECT "claims_claim"."id", v.id AS verdict_id, v.submitted_at
  FROM "claims_claim"
  LEFT JOIN "claims_verdict" v ON v.claim_id = "claims_claim"."id" AND v.is_current
  WHERE "claims_claim"."state" = 'submitted'
  ORDER BY v.submitted_at ASC, "claims_claim"."id" ASC
  {{window}}
) p
JOIN "claims_claim" c ON c.id = p.id
JOIN "claims_article" a ON a.id = c.article_id
ORDER BY p.submitted_at ASC, p.id ASC
"""  # noqa: S608 (table names only; the window's integers are written in by int())

_CLAIM_FIELDS = ("id", "text", "state", "claimant", "version", "article_id")


class ApprovalRows:
    """The approvals queue for a paginator: a slice reads its claims with everything their
    panels show in one prepared statement. No count (the page gives the paginator its own)."""

    ordered = True  # for Paginator: the statement has its ORDER BY

    def __getitem__(self, window: slice) -> list[Claim]:
        start = int(window.start or 0)
        sql = _PAGE_SQL.format(window=f"LIMIT {int(window.stop) - start} OFFSET {start}")
        with prepared_cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
        return [_claim_of(row) for row in rows]


def _claim_of(row) -> Claim:
    """A claim as approvals_queue gives it: its own columns and its article's title and outlet
    (the rest deferred), `submitted_at`, `current_verdicts` (the current one with its rating,
    author and votes with their editors, or none) and its evidence prefetched."""
    *own, title, publisher, submitted_at, verdict_row, evidence_rows = row
    claim = _instance(Claim, dict(zip(_CLAIM_FIELDS, own, strict=True)))
    article = {"id": claim.article_id, "title": title, "publisher": publisher}
    set_related(claim, "article", _instance(Article, article))
    claim.submitted_at = submitted_at
    claim.current_verdicts = []
    if verdict_row is not None:
        user = json_builder(get_user_model())
        verdict_json, rating_json, author_json, vote_rows = json_value(verdict_row)
        verdict = json_builder(Verdict)(verdict_json)
        set_related(verdict, "rating", json_builder(Rating)(rating_json))
        set_related(verdict, "author", user(author_json))
        votes = []
        for vote_json, editor_json in vote_rows:
            votes.append(vote := json_builder(ApprovalVote)(vote_json))
            set_related(vote, "editor", user(editor_json))
            set_related(vote, "verdict", verdict)
        set_prefetched(verdict, "votes", votes)
        claim.current_verdicts.append(verdict)
    evidence = json_builder(Evidence)
    set_prefetched(claim, "evidence", [evidence(e) for e in json_value(evidence_rows)])
    return claim


def _instance(model, values: dict):
    """`model` as the ORM makes it from some of its columns (`values` by attname; the others
    deferred): Model.from_db takes them in the model's own order of fields."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def approval_rows() -> ApprovalRows | QuerySet:
    """The approvals queue for a paginator to read a page of: one prepared statement a page on
    PostgreSQL, the ORM's `approvals_queue` elsewhere."""
    if connection.vendor != "postgresql":
        return approvals_queue()
    return ApprovalRows()
