"""The claims list over the API against the raw SQL for the same page, on PostgreSQL.

Seeds 100,000 claims (bulk SQL; once, topped up and reused by later runs), then times, in the
same run:
  - the API: GET /api/v1/claims/?state=open&topic=economy&ordering=-created&page_size=50 through
    the whole Django stack in-process (token auth, ClaimFilter, keyset cursor, serializers, JSON);
  - the baseline: one hand-written SQL query returning the same 50 rows with the same columns
    (claim, article, assignee, topic slugs), checked to return the same ids;
for the first page and for a page deep in the list (reached by following `next`).
Prints p50 and p95 of each and the ratios; exits 1 when the API's p95 is over 2x the SQL's.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_api DJANGO_DEBUG=1 \\
        .venv/bin/python benchmarks/api.py [--claims 100000] [--requests 300] [--deep-page 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
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
from rest_framework.test import APIClient  # noqa: E402

from claims.api.tokens import token_create  # noqa: E402
from claims.models import Claim, Topic  # noqa: E402
from claims.permissions import EDITORS, FACT_CHECKERS  # noqa: E402

PUBLISHER = "Benchmark Daily"
PER_ARTICLE = 50
RATIO_GOAL = 2.0  # the API's p95 at most this many times the raw SQL's
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
    """Seed in bulk SQL (benchmarks/seeding.py), topping up to `total`; reused by later runs."""
    from benchmarks import seeding

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
    states = "(ARRAY[" + ",".join(f"'{s}'" for s in STATES) + f"])[1 + n % {len(STATES)}]"
    missing = total - have
    for start in range(0, missing, 100_000):
        count = min(100_000, missing - start)
        with transaction.atomic(), connection.cursor() as cursor:
            first_article, _ = seeding.insert_articles(
                cursor,
                count=-(-count // PER_ARTICLE),
                publisher=PUBLISHER,
                tag=f"api{have + start}",
            )
            first, last = seeding.insert_claims(
                cursor,
                count=count,
                first_article=first_article,
                per_article=PER_ARTICLE,
                state_sql=states,
                assignees=[c.pk for c in checkers],
            )
            seeding.tag_topic(
                cursor, first_claim=first, last_claim=last, topic_id=economy.pk, every=5
            )
            seeding.tag_topic(
                cursor, first_claim=first, last_claim=last, topic_id=health.pk, every=7
            )
        print(f"seed: {have + start + count:,} / {total:,}", flush=True)
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


def main() -> int:
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
    missed = []
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
        if api_p95 / sql_p95 > RATIO_GOAL:
            missed.append(f"{label}: p95 {api_p95 / sql_p95:.1f}x raw SQL (goal: {RATIO_GOAL}x)")
    print("Goals: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
