"""Seeding benchmark data in bulk SQL (INSERT ... SELECT FROM generate_series), PostgreSQL only:
100,000 claims take seconds, not the minutes the ORM takes one object at a time.

Every NOT NULL column is given (Django sets no database defaults). Values are generated here,
never taken from input, and inlined (no parameters), so `%` is plain SQL.
"""

from __future__ import annotations

import re
import statistics

_WORD = re.compile(r"^[A-Za-z0-9 _-]+$")


def _literal(text: str) -> str:
    if not _WORD.match(text):
        raise ValueError(f"not a simple word: {text!r}")
    return f"'{text}'"


def insert_articles(cursor, *, count: int, publisher: str, tag: str) -> tuple[int, int]:
    """`count` ready articles of `publisher`; returns (first id, last id)."""
    tag, publisher = _literal(tag), _literal(publisher)
    cursor.execute(
        f"""
        INSERT INTO claims_article (url, source, title, publisher, author, published_at,
            language, body, content_hash, status, status_detail, progress, created_at, updated_at)
        SELECT 'https://bench.example.org/' || {tag} || '/' || n, 'text',
               'Benchmark article ' || n, {publisher}, '', now() - n * interval '1 minute',
               'en', 'Benchmark article ' || n || '.',
               md5({tag} || n) || md5({tag} || '-' || n), 'ready', '', 100,
               now() - n * interval '1 minute', now()
        FROM generate_series(1, {int(count)}) AS n
        RETURNING id
        """
    )
    ids = [row[0] for row in cursor.fetchall()]
    return min(ids), max(ids)


def insert_claims(
    cursor,
    *,
    count: int,
    first_article: int,
    per_article: int,
    state_sql: str,
    assignees: list[int] | None = None,
) -> tuple[int, int]:
    """`count` claims, `per_article` per article from `first_article` on. `state_sql` is an SQL
    expression of n (1..count) giving the state; working states get an assignee from
    `assignees` (round robin) and a deadline. Returns (first id, last id)."""
    assignee_sql = "NULL"
    if assignees:
        array = "ARRAY[" + ",".join(str(int(a)) for a in assignees) + "]"
        assignee_sql = (
            "CASE WHEN s.state IN ('assigned','in_review','submitted','approved','published') "
            f"THEN ({array})[1 + n % {len(assignees)}] END"
        )
    per = int(per_article)
    cursor.execute(
        f"""
        INSERT INTO claims_claim (text, context, position, start_offset, end_offset, claimant,
            claimant_method, score, model_version, language, priority, due_at, state,
            dismiss_reason, repeat_count, embedding, published_at, version, created_at,
            updated_at, article_id, assignee_id, duplicate_of_id)
        SELECT 'Claim ' || n || ': unemployment fell to ' || (n % 97) || '% in '
                   || (2000 + n % 25) || ', said minister ' || (n % 13) || '.',
               'The minister spoke at a press conference.',
               (n - 1) % {per}, 0, 40,
               CASE WHEN n % 3 = 0 THEN 'Finance Ministry' ELSE 'Minister ' || (n % 13) END,
               '', (n % 100) / 100.0, '', 'en',
               (ARRAY['low','normal','high','urgent'])[1 + n % 4],
               CASE WHEN s.state IN ('assigned','in_review')
                    THEN now() + (n % 96) * interval '1 hour' END,
               s.state, '', 0, NULL,
               CASE WHEN s.state = 'published' THEN now() END,
               1, now() - n * interval '1 second', now(),
               {int(first_article)} + (n - 1) / {per}, {assignee_sql}, NULL
        FROM generate_series(1, {int(count)}) AS n,
             LATERAL (SELECT ({state_sql})::varchar AS state) AS s
        RETURNING id
        """
    )
    ids = [row[0] for row in cursor.fetchall()]
    return min(ids), max(ids)


def insert_verdicts(
    cursor,
    *,
    first_claim: int,
    last_claim: int,
    author: int,
    decider: int,
    states: tuple[str, ...] | None = None,
):
    """An approved current verdict for every claim in the id range (only claims in `states`
    when given; a submitted claim's verdict is submitted, undecided), ratings round robin."""
    where = ""
    if states:
        where = " AND c.state IN (" + ",".join(_literal(s) for s in states) + ")"
    cursor.execute(
        f"""
        INSERT INTO claims_verdict (summary, rationale, state, is_current, decision_note,
            decided_at, submitted_at, correction_note, created_at, updated_at, author_id,
            claim_id, correction_of_id, decided_by_id, rating_id)
        SELECT 'The official figures say otherwise.',
               repeat('The statistics office''s series shows a rise, not a fall. ', 4),
               CASE WHEN c.state = 'submitted' THEN 'submitted' ELSE 'approved' END,
               true, '', CASE WHEN c.state = 'submitted' THEN NULL ELSE now() END,
               now() - (c.id % 1000) * interval '1 minute', '', now(), now(), {int(author)},
               c.id, NULL, CASE WHEN c.state = 'submitted' THEN NULL ELSE {int(decider)} END,
               (SELECT array_agg(id ORDER BY id) FROM claims_rating WHERE active)
                   [1 + c.id % (SELECT count(*) FROM claims_rating WHERE active)]
        FROM claims_claim c WHERE c.id BETWEEN {int(first_claim)} AND {int(last_claim)}{where}
        """
    )


def insert_evidence(cursor, *, first_claim: int, last_claim: int, per_claim: int) -> None:
    cursor.execute(
        f"""
        INSERT INTO claims_evidence (url, title, publisher, stance, excerpt, note, created_at,
            link_status, http_status, final_url, content_type, page_title, checked_at,
            archive_url, quote_status, changed_since_cited, added_by_id, claim_id,
            archive_detail, archived_at, link_detail, quote_checked_at)
        SELECT 'https://stats.example.org/series/' || c.id || '/' || k, 'Series ' || k,
               'Statistics Office', 'context', '', '', now(), 'unchecked', NULL, '', '', '',
               NULL, '', '', false, NULL, c.id, '', NULL, '', NULL
        FROM claims_claim c, generate_series(0, {int(per_claim) - 1}) AS k
        WHERE c.id BETWEEN {int(first_claim)} AND {int(last_claim)}
        """
    )


def tag_topic(cursor, *, first_claim: int, last_claim: int, topic_id: int, every: int = 1):
    cursor.execute(
        f"""
        INSERT INTO claims_claim_topics (claim_id, topic_id)
        SELECT c.id, {int(topic_id)} FROM claims_claim c
        WHERE c.id BETWEEN {int(first_claim)} AND {int(last_claim)} AND c.id % {int(every)} = 0
        """
    )


def percentiles(samples: list[float]) -> tuple[float, float]:
    """The median and the 95th percentile (nearest rank) of timing samples."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95
