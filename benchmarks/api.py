"""The claims list over the API against the raw SQL for the same page, on PostgreSQL.

Seeds 100,000 claims (bulk SQL; once, topped up and reused by later runs), then times, in the
same run:
  - the API: GET /api/v1/claims/?state=open&topic=economy&ordering=-created&page_size=50 through
    the whole Django stack in-process (middleware, token auth, filters, keyset cursor, rows,
    JSON), and the client reading the JSON back;
  - the baseline: the SQL the view runs for the page's rows, exactly as it ran (captured from
    one request of the same URL), executed through a cursor and fetched: the same rows, the same
    columns, the same plan;
for the first page and for a page deep in the list (reached by following `next`). The two are
timed in turns (one request, one query, ...), so both run under the same load. Prints p50 and
p95 of each, the ratios, the queries of one request and the load average; exits 1 when the
API's p95 is over 2x the SQL's.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_api DJANGO_DEBUG=1 \\
        .venv/bin/python benchmarks/api.py [--claims 100000] [--requests 300] [--deep-page 40]
"""

from __future__ import annotations

import argparse
import os
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
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from benchmarks.seeding import percentiles  # noqa: E402
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


def page_sql(client: APIClient, url: str) -> tuple[str, list[str]]:
    """The SQL the view ran for the page's rows (the one query that reads claims with a LIMIT),
    as it was sent, and every query of that request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.json()
    sqls = [q["sql"] for q in queries.captured_queries]
    pages = [sql for sql in sqls if 'FROM "claims_claim"' in sql and " LIMIT " in sql]
    assert len(pages) == 1, f"expected one page query, got {len(pages)}"
    return pages[0], sqls


def time_api(client: APIClient, url: str) -> tuple[float, list[int]]:
    started = time.perf_counter()
    response = client.get(url)
    body = response.json()
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, body
    return elapsed, [row["id"] for row in body["results"]]


def time_sql(sql: str) -> tuple[float, list[int]]:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, [row[0] for row in rows[:50]]


def time_both(client: APIClient, url: str, sql: str, n: int):
    """n API requests and n runs of the SQL, in turns (the same load for both)."""
    api_samples, sql_samples, api_ids, sql_ids = [], [], [], []
    for _ in range(n):
        elapsed, api_ids = time_api(client, url)
        api_samples.append(elapsed)
        elapsed, sql_ids = time_sql(sql)
        sql_samples.append(elapsed)
    return api_samples, sql_samples, api_ids, sql_ids


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
    deep_url = first_url
    for _ in range(args.deep_page - 1):
        deep_url = client.get(deep_url).json()["next"].replace("http://localhost", "")

    matched = Claim.objects.filter(state="open", topics__slug="economy").count()
    print(f"claims: {Claim.objects.count():,}; matching the filter: {matched:,}")
    print(f"filter: {FILTER}; {args.requests} requests each after 20 warm-up requests")
    print("load average at the start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    missed = []
    for label, url in (("first page", first_url), (f"page {args.deep_page}", deep_url)):
        sql, queries = page_sql(client, url)
        print(f"\n{label}: {len(queries)} queries per request:")
        for query in queries:
            print("  " + ("[page] " if query == sql else "") + query[:150] + "...")
        time_both(client, url, sql, 20)
        api_samples, sql_samples, api_ids, sql_ids = time_both(client, url, sql, args.requests)
        assert api_ids == sql_ids, "the API and the SQL baseline must return the same page"
        api_p50, api_p95 = percentiles(api_samples)
        sql_p50, sql_p95 = percentiles(sql_samples)
        print(f"{'page':<14}{'what':<10}{'p50 ms':>10}{'p95 ms':>10}")
        print(f"{label:<14}{'API':<10}{api_p50:>10.2f}{api_p95:>10.2f}")
        print(f"{'':<14}{'raw SQL':<10}{sql_p50:>10.2f}{sql_p95:>10.2f}")
        print(f"{'':<14}{'ratio':<10}{api_p50 / sql_p50:>9.1f}x{api_p95 / sql_p95:>9.1f}x")
        if api_p95 / sql_p95 > RATIO_GOAL:
            missed.append(f"{label}: p95 {api_p95 / sql_p95:.1f}x raw SQL (goal: {RATIO_GOAL}x)")
    print("\nload average at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print("Goals: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
