"""Parts of the reviewers' one-statement reads on PostgreSQL (the workload page, `page`; the
overview's stuck claims, `backlog`): the reviewer profiles and the longest-waiting open claims
as JSON inside a statement, and the Python that turns those rows back into the model instances
the assignment policy judges (`policy.why_unassigned_many`)."""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.db import connection

from claims import permissions
from claims.models import Article, Claim, Topic
from claims.selectors import json_builder, set_prefetched, set_related

from ..models import ReviewerProfile


@functools.cache
def profiles_sql() -> str:
    """Every reviewer profile with `is_fact_checker` (the one role rule,
    `permissions.holds_permission`), as the ORM writes it; compiled once, its only values (the
    permission's name) written in."""
    sql, params = (
        ReviewerProfile.objects.annotate(
            is_fact_checker=permissions.holds_permission("claims.work_claim", user="user")
        )
        .order_by()
        .values(*(f.attname for f in ReviewerProfile._meta.concrete_fields), "is_fact_checker")
        .query.sql_with_params()
    )
    # Placeholders of its own would clash with the page query's: its values are written in.
    return connection.ops.compose_sql(sql, params).replace("%", "%%")


USER_JSON = "to_jsonb(u) - 'password'"  # a page never reads a password hash
_TOPICS_JSON = """(SELECT coalesce(jsonb_agg(jsonb_build_array(t.id, t.slug, t.name)
                                ORDER BY t.name, t.id), '[]')
         FROM "claims_topic" t JOIN "{through}" x ON x.topic_id = t.id
         WHERE x.{owner} = {owner_id})"""
PROFILE_TOPICS_JSON = _TOPICS_JSON.format(
    through="reviewers_reviewerprofile_topics", owner="reviewerprofile_id", owner_id="p.id"
)


def waiting_claims_json(limit: int, *, before: bool) -> str:
    """A JSON array of the first `limit` open claims, the longest-waiting first (those filed
    before `%(before)s` where `before`), each as [claim, its article's author, its topics,
    its earlier assignments in a state of `%(gave_up)s`]: what `waiting_from` reads."""
    claim_topics = _TOPICS_JSON.format(
        through="claims_claim_topics", owner="claim_id", owner_id="w.id"
    )
    filed_before = "AND cl.created_at < %(before)s" if before else ""
    return f"""(SELECT coalesce(jsonb_agg(jsonb_build_array(
            to_jsonb(w) - 'author', w.author, {claim_topics},
            (SELECT coalesce(jsonb_agg(jsonb_build_array(g.reviewer_id, g.state)
                                       ORDER BY g.assigned_at, g.id), '[]')
             FROM "reviewers_assignment" g
             WHERE g.claim_id = w.id AND g.state = ANY(%(gave_up)s)))
          ORDER BY w.created_at, w.id), '[]')
   FROM (SELECT cl.id, cl.text, cl.language, cl.state, cl.assignee_id, cl.article_id,
                cl.created_at, ar.author
         FROM "claims_claim" cl JOIN "claims_article" ar ON ar.id = cl.article_id
         WHERE cl.state = %(open)s {filed_before}
         ORDER BY cl.created_at, cl.id LIMIT {int(limit)}) w)"""  # noqa: S608 (names only)


def topics_of(owner, topic_rows) -> None:
    """`owner.topics.all()` answered from `topic_rows` ([id, slug, name] each), no query."""
    topic = json_builder(Topic)
    set_prefetched(
        owner,
        "topics",
        [topic({"id": pk, "slug": slug, "name": name}) for pk, slug, name in topic_rows],
    )


def profile_from(profile_row: dict, user_row: dict, topic_rows) -> ReviewerProfile:
    """A profile as `policy.profiles` gives it: its user set, its topics prefetched,
    `is_fact_checker` and `load` (the profile's own counter) read."""
    profile = json_builder(ReviewerProfile)(profile_row)
    profile.is_fact_checker = profile_row["is_fact_checker"]
    set_related(profile, "user", json_builder(get_user_model())(user_row))
    topics_of(profile, topic_rows)
    return profile


def waiting_from(waiting_rows) -> tuple[list[Claim], list[tuple[int, int, str]]]:
    """The claims of `waiting_claims_json` (article and topics set, as
    `policy.why_unassigned_many` needs them) and their earlier assignments given up, as
    (claim id, reviewer id, state) rows."""
    claim_of, article_of = json_builder(Claim), json_builder(Article)
    claims, gave_up = [], []
    for claim_row, author, topic_rows, gave_up_rows in waiting_rows:
        claims.append(claim := claim_of(claim_row))
        set_related(claim, "article", article_of({"id": claim.article_id, "author": author}))
        topics_of(claim, topic_rows)
        gave_up += [(claim.pk, reviewer_id, state) for reviewer_id, state in gave_up_rows]
    return claims, gave_up
