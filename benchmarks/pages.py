"""Dashboard pages at 100,000 claims against the raw SQL of each page's main query, on
PostgreSQL, in one run.

Seeds (once, in bulk SQL; reused by later runs) 100,000 claims in 2,000 articles across every
state, verdicts for the submitted, approved and published ones, 10 fact-checkers with reviewer
profiles, and one article of 3,800 sentences. Then times each page through the whole Django
stack in-process (the test client, logged in) and, in the same run, one hand-written SQL query
that reads what the page's main list or figure reads. Prints p50 and p95 of each and the ratio;
exits 1 when a page's p95 is over 3x its SQL's, or the 3,800-sentence article's page over 0.5 s.

    createdb -h 127.0.0.1 -U postgres fc_pages
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_pages DJANGO_DEBUG=1 \\
        .venv/bin/python benchmarks/pages.py [--claims 100000] [--requests 30]
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
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from benchmarks import seeding  # noqa: E402
from claims.models import Article, Claim, Topic  # noqa: E402
from tests.factories import editor, fact_checker  # noqa: E402

PUBLISHER = "Benchmark Pages"
LONG = "Benchmark Pages long article"
PER_ARTICLE = 50
LONG_SENTENCES = 3800
RATIO_GOAL = 3.0
ARTICLE_GOAL_S = 0.5
STATES = (
    "(ARRAY['open','open','open','open','candidate','candidate','assigned','assigned',"
    "'in_review','in_review','submitted','approved','published','published','dismissed',"
    "'candidate'])[1 + n % 16]"
)


def seed(total: int) -> None:
    have = Claim.objects.filter(article__publisher=PUBLISHER).count()
    checkers = [fact_checker(f"pages-checker-{n}") for n in range(10)]
    editor("pages-editor")
    if have >= total:
        print(f"seed: {have:,} benchmark claims already there")
        return
    started = time.perf_counter()
    boss = editor("pages-editor")
    economy = Topic.objects.get(slug="economy")
    with transaction.atomic(), connection.cursor() as cursor:
        first_article, _ = seeding.insert_articles(
            cursor, count=-(-total // PER_ARTICLE), publisher=PUBLISHER, tag="pages"
        )
        first, last = seeding.insert_claims(
            cursor,
            count=total,
            first_article=first_article,
            per_article=PER_ARTICLE,
            state_sql=STATES,
            assignees=[c.pk for c in checkers],
        )
        seeding.insert_verdicts(
            cursor,
            first_claim=first,
            last_claim=last,
            author=checkers[0].pk,
            decider=boss.pk,
            states=("submitted", "approved", "published"),
        )
        seeding.insert_evidence(cursor, first_claim=first, last_claim=last, per_claim=1)
        seeding.tag_topic(cursor, first_claim=first, last_claim=last, topic_id=economy.pk, every=5)
        long_article, _ = seeding.insert_articles(
            cursor, count=1, publisher="Benchmark Pages long article", tag="pages-long"
        )
        cursor.execute(
            "UPDATE claims_article SET body = repeat('The minister said unemployment fell to "
            f"4.1% last year. ', {LONG_SENTENCES}) WHERE id = {int(long_article)}"
        )
        seeding.insert_claims(
            cursor,
            count=LONG_SENTENCES,
            first_article=long_article,
            per_article=LONG_SENTENCES,
            state_sql="CASE WHEN n % 3 = 0 THEN 'open' ELSE 'candidate' END",
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    count = Claim.objects.filter(article__publisher=PUBLISHER).count()
    print(f"seed: {count:,} benchmark claims in {time.perf_counter() - started:.1f} s")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[
        min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))
    ]


def time_page(client: Client, url: str, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        body = response.content
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code, body[:500])
    return samples


def time_sql(sql: str, params: tuple, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


CLAIM_COLUMNS = """c.id, c.version, c.text, c.position, c.claimant, c.score, c.state, c.priority,
    c.due_at, c.created_at, a.id, a.title, a.publisher, u.username"""


def pages(checker_id: int, claim_id: int, long_id: int) -> list[tuple]:
    """(name, who, url, raw SQL of its main query, params)."""
    return [
        (
            "claims list",
            "editor",
            "/claims/",
            f"""SELECT {CLAIM_COLUMNS} FROM claims_claim c
                JOIN claims_article a ON a.id = c.article_id
                LEFT JOIN auth_user u ON u.id = c.assignee_id
                ORDER BY c.created_at DESC, c.id DESC LIMIT 50""",
            (),
        ),
        (
            "queue",
            "checker",
            "/",
            f"""SELECT {CLAIM_COLUMNS} FROM claims_claim c
                JOIN claims_article a ON a.id = c.article_id
                LEFT JOIN auth_user u ON u.id = c.assignee_id
                WHERE c.assignee_id = %s AND c.state IN ('assigned', 'in_review')
                ORDER BY c.due_at, c.id LIMIT 100""",
            (checker_id,),
        ),
        (
            "approvals",
            "editor",
            "/approvals/",
            f"""SELECT {CLAIM_COLUMNS}, v.summary, v.submitted_at FROM claims_claim c
                JOIN claims_article a ON a.id = c.article_id
                LEFT JOIN auth_user u ON u.id = c.assignee_id
                JOIN claims_verdict v ON v.claim_id = c.id AND v.is_current
                WHERE c.state = 'submitted' ORDER BY v.submitted_at, c.id LIMIT 50""",
            (),
        ),
        (
            "reports",
            "editor",
            "/reports/",
            """SELECT c.state, r.label, count(*) FROM claims_claim c
                LEFT JOIN claims_verdict v ON v.claim_id = c.id AND v.is_current
                LEFT JOIN claims_rating r ON r.id = v.rating_id
                GROUP BY c.state, r.label""",
            (),
        ),
        (
            "workload",
            "editor",
            "/reviewers/workload/",
            """SELECT u.id, u.username, count(c.id) FROM auth_user u
                JOIN reviewers_reviewerprofile p ON p.user_id = u.id
                LEFT JOIN claims_claim c ON c.assignee_id = u.id
                     AND c.state IN ('assigned', 'in_review')
                GROUP BY u.id, u.username""",
            (),
        ),
        (
            "claim page",
            "editor",
            f"/claims/{claim_id}/",
            """SELECT c.*, a.title, a.publisher, a.url, a.body FROM claims_claim c
                JOIN claims_article a ON a.id = c.article_id WHERE c.id = %s""",
            (claim_id,),
        ),
        (
            "article 3,800",
            "editor",
            f"/articles/{long_id}/",
            f"""SELECT {CLAIM_COLUMNS} FROM claims_claim c
                JOIN claims_article a ON a.id = c.article_id
                LEFT JOIN auth_user u ON u.id = c.assignee_id
                WHERE c.article_id = %s ORDER BY c.position LIMIT 100""",
            (long_id,),
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL: set DATABASE_URL=postgres://...")
    settings.DEBUG = False  # no query log: time what production runs
    call_command("migrate", verbosity=0)
    seed(args.claims)
    checker = fact_checker("pages-checker-1")
    boss = editor("pages-editor")
    clients = {"editor": Client(HTTP_HOST="localhost"), "checker": Client(HTTP_HOST="localhost")}
    clients["editor"].force_login(boss)
    clients["checker"].force_login(checker)
    claim_id = (
        Claim.objects.filter(article__publisher=PUBLISHER, state="submitted")
        .values_list("pk", flat=True)
        .first()
    )
    long_id = Article.objects.filter(publisher=LONG).values_list("pk", flat=True).first()
    print(f"claims: {Claim.objects.count():,}; {args.requests} requests each after 3 warm-up\n")
    print(
        f"{'page':<16}{'p50 ms':>10}{'p95 ms':>10}{'SQL p50':>10}{'SQL p95':>10}{'ratio p95':>11}"
    )
    missed = []
    for name, who, url, sql, params in pages(checker.pk, claim_id, long_id):
        time_page(clients[who], url, 3)
        time_sql(sql, params, 3)
        page_p50, page_p95 = percentiles(time_page(clients[who], url, args.requests))
        sql_p50, sql_p95 = percentiles(time_sql(sql, params, args.requests))
        ratio = page_p95 / sql_p95
        print(
            f"{name:<16}{page_p50:>10.1f}{page_p95:>10.1f}{sql_p50:>10.1f}{sql_p95:>10.1f}"
            f"{ratio:>10.1f}x"
        )
        if ratio > RATIO_GOAL:
            missed.append(f"{name} {ratio:.1f}x its SQL (goal: at most {RATIO_GOAL}x)")
        if name.startswith("article") and page_p95 > ARTICLE_GOAL_S * 1000:
            missed.append(f"{name} took {page_p95:.0f} ms (goal: under {ARTICLE_GOAL_S} s)")
    print("\nGoals: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
