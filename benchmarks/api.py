"""The claims list over the API against the raw SQL for the same page, on PostgreSQL.

Seeds 100,000 claims (bulk_create; once, reused by later runs), then times, in the same run:
  - the API: GET /api/v1/claims/?state=open&topic=economy&ordering=-created&page_size=50 through
    the whole Django stack in-process (token auth, ClaimFilter, keyset cursor, serializers, JSON);
  - the baseline: one hand-written SQL query returning the same 50 rows with the same columns
    (claim, article, assignee, topic slugs), checked to return the same ids;
for the first page and for a page deep in the list (reached by following `next`).
Prints p50 and p95 of each and the ratios.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_api DJANGO_DEBUG=1 \\
        .venv/bin/python benchmarks/api.py [--claims 100000] [--requests 300] [--deep-page 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from claims.api.tokens import token_create  # noqa: E402
from claims.models import Article, Claim, Topic  # noqa: E402
from claims.permissions import EDITORS, FACT_CHECKERS  # noqa: E402

PUBLISHER = "Benchmark Daily"
PER_ARTICLE = 50
FILTER = "state=open&topic=economy&ordering=-created&page_size=50"
STATES = (
    ["open"] * 8 + ["candidate"] * 4 + ["assigned"] * 3 + ["in_review"] * 2 + ["submitted"]
    + ["published"] + ["dismissed"]
)  # fmt: skip

RAW_SQL = """
SELECT c.id, c.version, c.text, c.context, c.position, c.claimant, c.score, c.state,
       c.priority, c.due_at, c.created_at, a.id, a.title, a.publisher, a.url, u.username,
       ARRAY(SELECT t.slug FROM claims_claim_topics ct JOIN claims_topic t ON t.id = ct.topic_id
             WHERE ct.claim_id = c.id) AS topics
FROM claims_claim c
JOIN claims_article a ON a.id = c.article_id
LEFT JOIN auth_user u ON u.id = c.assignee_id
WHERE c.state = 'open'
  AND c.id IN (SELECT ct.claim_id FROM claims_claim_topics ct
               JOIN claims_topic t ON t.id = ct.topic_id WHERE t.slug = 'economy')
  {after}
ORDER BY c.created_at DESC, c.id DESC
LIMIT 51
"""


def seed(total: int) -> None:
    have = Claim.objects.filter(article__publisher=PUBLISHER).count()
    if have >= total:
        print(f"seed: {have:,} benchmark claims already there")
        return
    started = time.perf_counter()
    User = get_user_model()
    checkers = []
    for n in range(10):
        user, _ = User.objects.get_or_create(username=f"bench-checker-{n}")
        user.groups.add(Group.objects.get(name=FACT_CHECKERS))
        checkers.append(user)
    economy, _ = Topic.objects.get_or_create(slug="economy", defaults={"name": "Economy"})
    health, _ = Topic.objects.get_or_create(slug="health", defaults={"name": "Health"})
    now = timezone.now()
    articles_needed = -(-(total - have) // PER_ARTICLE)
    first = Article.objects.filter(publisher=PUBLISHER).count()
    through = Claim.topics.through
    for batch_start in range(0, articles_needed, 100):
        with transaction.atomic():
            batch = range(first + batch_start, first + min(batch_start + 100, articles_needed))
            articles = Article.objects.bulk_create(
                [
                    Article(
                        title=f"Benchmark article {n}",
                        publisher=PUBLISHER,
                        body=f"Benchmark article {n}.",
                        content_hash=f"bench-{n:058d}",
                        status=Article.Status.READY,
                        created_at=now - timedelta(minutes=n),
                    )
                    for n in batch
                ]
            )
            claims = []
            for article in articles:
                for position in range(PER_ARTICLE):
                    i = article.pk * PER_ARTICLE + position
                    state = STATES[i % len(STATES)]
                    working = state in {"assigned", "in_review", "submitted", "published"}
                    claims.append(
                        Claim(
                            article=article,
                            text=f"Unemployment fell to {i % 97}% in {2000 + i % 25}, "
                            f"said minister {i % 13}.",
                            context="The minister spoke at a press conference.",
                            position=position,
                            start_offset=0,
                            end_offset=40,
                            claimant=f"Minister {i % 13}",
                            score=(i % 100) / 100,
                            priority=["low", "normal", "high", "urgent"][i % 4],
                            state=state,
                            assignee=checkers[i % 10] if working else None,
                            due_at=now + timedelta(hours=i % 96) if working else None,
                            created_at=now - timedelta(seconds=i),
                        )
                    )
            claims = Claim.objects.bulk_create(claims, batch_size=2000)
            through.objects.bulk_create(
                [through(claim_id=c.pk, topic_id=economy.pk) for c in claims if c.pk % 5 == 0]
                + [through(claim_id=c.pk, topic_id=health.pk) for c in claims if c.pk % 7 == 0],
                batch_size=5000,
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    count = Claim.objects.filter(article__publisher=PUBLISHER).count()
    print(f"seed: {count:,} benchmark claims in {time.perf_counter() - started:.1f} s")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def time_api(client: APIClient, url: str, n: int) -> tuple[list[float], list[int]]:
    samples, ids = [], []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        body = response.json()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, body
        ids = [row["id"] for row in body["results"]]
    return samples, ids


def time_sql(after: tuple | None, n: int) -> tuple[list[float], list[int]]:
    sql = RAW_SQL.format(after="AND (c.created_at, c.id) < (%s, %s)" if after else "")
    samples, rows = [], []
    for _ in range(n):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, after or ())
            rows = cursor.fetchall()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, [row[0] for row in rows[:50]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--deep-page", type=int, default=40)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL: set DATABASE_URL=postgres://...")
    settings.DEBUG = False  # no query log: time what production runs
    call_command("migrate", verbosity=0)
    seed(args.claims)

    User = get_user_model()
    editor, _ = User.objects.get_or_create(username="bench-editor")
    editor.groups.add(Group.objects.get(name=EDITORS))
    client = APIClient(HTTP_HOST="localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=editor).key}")

    first_url = f"/api/v1/claims/?{FILTER}"
    deep_url, last = first_url, None
    for _ in range(args.deep_page - 1):
        body = client.get(deep_url).json()
        last = body["results"][-1]
        deep_url = body["next"].replace("http://localhost", "")
    deep_after = (last["created_at"], last["id"])

    matched = Claim.objects.filter(state="open", topics__slug="economy").count()
    print(f"claims: {Claim.objects.count():,}; matching the filter: {matched:,}")
    print(f"filter: {FILTER}; {args.requests} requests each after 20 warm-up requests\n")
    print(f"{'page':<14}{'what':<10}{'p50 ms':>10}{'p95 ms':>10}")
    for label, url, after in (
        ("first page", first_url, None),
        (f"page {args.deep_page}", deep_url, deep_after),
    ):
        time_api(client, url, 20)
        time_sql(after, 20)
        api_samples, api_ids = time_api(client, url, args.requests)
        sql_samples, sql_ids = time_sql(after, args.requests)
        assert api_ids == sql_ids, "the API and the SQL baseline must return the same page"
        api_p50, api_p95 = percentiles(api_samples)
        sql_p50, sql_p95 = percentiles(sql_samples)
        print(f"{label:<14}{'API':<10}{api_p50:>10.2f}{api_p95:>10.2f}")
        print(f"{'':<14}{'raw SQL':<10}{sql_p50:>10.2f}{sql_p95:>10.2f}")
        print(f"{'':<14}{'ratio':<10}{api_p50 / sql_p50:>9.1f}x{api_p95 / sql_p95:>9.1f}x\n")


if __name__ == "__main__":
    main()
