"""A bounded load test against the production web server, then the workflow's invariants.

Creates its own database next to DATABASE_URL's (`<name>_load`, dropped at the end unless --keep),
seeds editors, fact-checkers and claims, starts gunicorn (factcheck/gunicorn.conf.py, debug off)
on 127.0.0.1 and a Celery worker, and runs --clients concurrent clients for --seconds:

- readers: the dashboard (my queue, claims list, a claim page, the workload page) and API reads
  (claims list, a claim, its history);
- fact-checkers: take an assigned claim of theirs through start, save-draft and submit;
- editors: approve or return submitted verdicts, publish approved ones, assign open claims.

Each client sends the claim version it read, so racing writers get 409s (counted, not errors).
Prints throughput, p50/p95/p99 per kind of request and the errors, then checks the invariants:
each claim's version equals its events, at most one active assignment per claim (exactly one for
claims being worked on, held by the assignee), nobody approved their own verdict. Exits 1 on any
5xx, any request that failed outright, or any broken invariant.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_x \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/3 REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python benchmarks/load.py [--clients 20] [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _load_database_url(base: str) -> tuple[str, str, str]:
    """(the load test's database URL, its name, a URL of the server's maintenance database)."""
    parts = urlsplit(base)
    name = parts.path.lstrip("/") + "_load"
    return (
        urlunsplit(parts._replace(path=f"/{name}")),
        name,
        urlunsplit(parts._replace(path="/postgres")),
    )


def _create_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# The configuration comes first: this process and the servers share the database and the key.
BASE_URL = os.environ.get("DATABASE_URL", "")
if not BASE_URL.startswith("postgres"):
    sys.exit(
        "Run this on PostgreSQL: set DATABASE_URL=postgres://... (a database is made next to it)"
    )
LOAD_URL, LOAD_DB, ADMIN_URL = _load_database_url(BASE_URL)
PORT = _free_port()
ENV = {
    **os.environ,
    "DATABASE_URL": LOAD_URL,
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_BEHIND_TLS_PROXY": "1",
    "SITE_URL": f"http://127.0.0.1:{PORT}",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "CELERY_TASK_DEFAULT_QUEUE": f"load-{secrets.token_hex(4)}",
    # Per-user throttles are part of production, but 20 clients writing for a minute is the
    # point here: lift the ingestion and export rates, keep the rest.
    "API_THROTTLE_INGESTION": "100000/hour",
    "PYTHONUNBUFFERED": "1",
    "HOST": "127.0.0.1",
    "PORT": str(PORT),
}
os.environ.update({k: ENV[k] for k in ("DATABASE_URL", "DJANGO_DEBUG", "DJANGO_SECRET_KEY",
                                       "DJANGO_ALLOWED_HOSTS", "DJANGO_BEHIND_TLS_PROXY",
                                       "SITE_URL", "CELERY_TASK_DEFAULT_QUEUE",
                                       "EMAIL_BACKEND")})  # fmt: skip
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

import django  # noqa: E402
import requests  # noqa: E402

READERS, CHECKERS, EDITORS_N = 8, 8, 4  # of 20 clients; scaled to --clients
N_CHECKERS, N_EDITORS, N_CLAIMS = 12, 4, 600


def seed() -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from claims import workflow
    from claims.api.tokens import token_create
    from claims.models import Article, Claim, ClaimEvent
    from claims.permissions import EDITORS, FACT_CHECKERS
    from reviewers.models import ReviewerProfile

    call_command("migrate", verbosity=0)
    User = get_user_model()
    editors, checkers = [], []
    for n in range(N_EDITORS):
        user = User.objects.create_user(f"load-editor{n}", password=secrets.token_urlsafe(12))
        user.groups.add(Group.objects.get(name=EDITORS))
        editors.append(user)
    for n in range(N_CHECKERS):
        user = User.objects.create_user(f"load-checker{n}", password=secrets.token_urlsafe(12))
        user.groups.add(Group.objects.get(name=FACT_CHECKERS))
        ReviewerProfile.objects.update_or_create(
            user=user, defaults={"capacity": 1000, "languages": "en"}
        )
        checkers.append(user)
    article = Article.objects.create(
        title="Load",
        body="Load.",
        content_hash=secrets.token_hex(32),
        status=Article.Status.READY,
    )
    claims = Claim.objects.bulk_create(
        Claim(
            article=article,
            text=f"Unemployment fell to {n % 97}% in {2000 + n % 25}, said minister {n % 13}.",
            position=n,
            start_offset=0,
            end_offset=10,
            state=Claim.State.OPEN,
            score=0.9,
            priority=["low", "normal", "high", "urgent"][n % 4],
        )
        for n in range(N_CLAIMS)
    )
    ClaimEvent.objects.bulk_create(
        ClaimEvent(claim=c, transition="file", from_state="", to_state=c.state) for c in claims
    )
    # Half the claims start assigned, through the workflow (so version and events agree).
    for i, claim in enumerate(claims[: N_CLAIMS // 2]):
        workflow.claim_assign(
            claim_id=claim.pk,
            actor=editors[0],
            assignee=checkers[i % N_CHECKERS],
            expected_version=1,
        )
    sessions = {}
    for user in editors + checkers:
        browser = Client()
        browser.force_login(user)
        sessions[user.username] = browser.cookies["sessionid"].value
    return {
        "editors": [(u.username, token_create(user=u).key, sessions[u.username]) for u in editors],
        "checkers": [
            (u.username, token_create(user=u).key, sessions[u.username]) for u in checkers
        ],
        "claim_ids": [c.pk for c in claims],
        "since": timezone.now(),
    }


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: Counter = Counter()
        self.errors: list[str] = []
        self.outcomes: Counter = Counter()

    def record(self, kind: str, seconds: float, status: int, detail: str = "") -> None:
        with self.lock:
            self.latency[kind].append(seconds * 1000)
            self.status[status] += 1
            if status >= 500 or status == 0:
                self.errors.append(f"{kind}: {status} {detail[:200]}")


class Client:
    def __init__(self, base: str, stats: Stats, username: str, token: str, session: str):
        self.base, self.stats, self.username = base, stats, username
        self.http = requests.Session()
        self.http.headers.update({"X-Forwarded-Proto": "https"})
        self.api = {"Authorization": f"Token {token}"}
        self.page = {"Cookie": f"sessionid={session}"}

    def call(self, kind: str, method: str, path: str, *, page=False, json=None, ok=(200,)):
        started = time.perf_counter()
        try:
            response = self.http.request(
                method, self.base + path, headers=self.page if page else self.api,
                json=json, timeout=60, allow_redirects=False,
            )  # fmt: skip
        except requests.RequestException as exc:
            self.stats.record(kind, time.perf_counter() - started, 0, repr(exc))
            return None
        self.stats.record(kind, time.perf_counter() - started, response.status_code, response.text)
        if response.status_code == 409:
            self.stats.outcomes[f"{kind} conflict (409)"] += 1
        elif response.status_code in ok:
            if method == "POST":
                self.stats.outcomes[f"{kind} done"] += 1
        elif response.status_code < 500:
            self.stats.outcomes[f"{kind} refused ({response.status_code})"] += 1
        return response

    def claims(self, query: str) -> list[dict]:
        response = self.call("api: claims list", "GET", f"/api/v1/claims/?{query}&page_size=20")
        return response.json()["results"] if response is not None and response.ok else []


def reader(client: Client, ids: list[int], rng: random.Random) -> None:
    claim = rng.choice(ids)
    choice = rng.randrange(7)
    if choice == 0:
        client.call("page: my queue", "GET", "/", page=True)
    elif choice == 1:
        client.call("page: claims list", "GET", "/claims/?state=open", page=True)
    elif choice == 2:
        client.call("page: claim", "GET", f"/claims/{claim}/", page=True)
    elif choice == 3:
        client.call("page: workload", "GET", "/reviewers/workload/", page=True)
    elif choice == 4:
        client.claims("state=assigned")
    elif choice == 5:
        client.call("api: claim", "GET", f"/api/v1/claims/{claim}/")
    else:
        client.call("api: history", "GET", f"/api/v1/claims/{claim}/events/")


def checker(client: Client, ratings: list[int], rng: random.Random) -> None:
    mine = client.claims(f"reviewer={client.username}&state=assigned&state=in_review")
    if not mine:
        client.call("page: my queue", "GET", "/", page=True)
        return
    claim = rng.choice(mine)
    pk, version = claim["id"], claim["version"]
    if claim["state"] == "assigned":
        r = client.call(
            "write: start", "POST", f"/api/v1/claims/{pk}/start/", json={"version": version}
        )
        if r is None or not r.ok:
            return
        version = r.json()["version"]
    r = client.call(
        "write: save-draft",
        "POST",
        f"/api/v1/claims/{pk}/save-draft/",
        json={
            "version": version,
            "rating": rng.choice(ratings),
            "summary": "Checked against the ministry's own figures.",
            "rationale": "The official statistics for that year say otherwise.",
        },
    )
    if r is None or not r.ok:
        return
    client.call(
        "write: submit",
        "POST",
        f"/api/v1/claims/{pk}/submit/",
        json={"version": r.json()["version"]},
    )


def editor(client: Client, checkers: list[str], rng: random.Random) -> None:
    choice = rng.randrange(4)
    if choice in (0, 1):
        waiting = client.claims("state=submitted")
        if waiting:
            claim = rng.choice(waiting)
            if rng.random() < 0.75:
                client.call(
                    "write: approve", "POST", f"/api/v1/claims/{claim['id']}/approve/",
                    json={"version": claim["version"], "note": "Good."},
                )  # fmt: skip
            else:
                client.call(
                    "write: return", "POST", f"/api/v1/claims/{claim['id']}/return/",
                    json={"version": claim["version"], "note": "Cite the 2019 table too."},
                )  # fmt: skip
            return
    if choice == 2:
        approved = client.claims("state=approved")
        if approved:
            claim = rng.choice(approved)
            client.call(
                "write: publish", "POST", f"/api/v1/claims/{claim['id']}/publish/",
                json={"version": claim["version"]},
            )  # fmt: skip
            return
    open_claims = client.claims("state=open")
    if open_claims:
        claim = rng.choice(open_claims)
        client.call(
            "write: assign", "POST", f"/api/v1/claims/{claim['id']}/assign/",
            json={"version": claim["version"], "assignee_username": rng.choice(checkers),
                  "reason": "load test"},
        )  # fmt: skip
    else:
        client.call("page: approvals", "GET", "/approvals/", page=True)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def row(kind: str, samples: list[float]) -> str:
    return (
        f"{kind:<22}{len(samples):>7}{statistics.median(samples):>9.0f}"
        f"{percentile(samples, 0.95):>9.0f}{percentile(samples, 0.99):>9.0f}"
    )


def check_invariants(since) -> list[str]:
    from django.db.models import Count, F, Q

    from claims.models import ApprovalVote, Claim, ClaimEvent, Verdict
    from reviewers.models import Assignment

    broken = []
    events = dict(ClaimEvent.objects.values_list("claim_id").annotate(n=Count("pk")).order_by())
    for pk, version in Claim.objects.values_list("pk", "version"):
        if version != events.get(pk, 0):
            broken.append(f"claim {pk}: version {version}, {events.get(pk, 0)} events")
    doubled = (
        Assignment.objects.filter(state=Assignment.State.ACTIVE)
        .values("claim_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    broken += [f"claim {row['claim_id']}: {row['n']} active assignments" for row in doubled]
    working = Claim.objects.filter(state__in=["assigned", "in_review", "submitted"])
    unheld = working.exclude(
        assignments__state=Assignment.State.ACTIVE, assignments__reviewer_id=F("assignee_id")
    )
    broken += [f"claim {pk}: being worked on without its assignee's active assignment"
               for pk in unheld.values_list("pk", flat=True)]  # fmt: skip
    own = ApprovalVote.objects.filter(
        Q(editor=F("verdict_author")) | Q(editor=F("verdict__author"))
    )
    broken += [f"vote {pk}: an editor approved their own verdict"
               for pk in own.values_list("pk", flat=True)]  # fmt: skip
    decided = Verdict.objects.filter(~Q(decided_by=None), decided_by_id=F("author_id"))
    broken += [
        f"verdict {pk}: decided by its author" for pk in decided.values_list("pk", flat=True)
    ]
    return broken


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--web-workers", type=int, default=0, help="default: the config's")
    parser.add_argument("--keep", action="store_true", help="keep the load test's database")
    args = parser.parse_args()

    _create_database(ADMIN_URL, LOAD_DB)
    procs: list[subprocess.Popen] = []
    logs = ROOT / "var" / "load"
    logs.mkdir(parents=True, exist_ok=True)
    try:
        django.setup()
        from claims.models import Rating

        data = seed()
        ratings = list(Rating.objects.filter(active=True).values_list("pk", flat=True))
        env = dict(ENV)
        if args.web_workers:
            env["WEB_CONCURRENCY"] = str(args.web_workers)
        bin_dir = ROOT / ".venv" / "bin"
        for name, cmd in {
            "web": [str(bin_dir / "gunicorn"), "-c", "factcheck/gunicorn.conf.py",
                    "factcheck.wsgi"],
            "worker": [str(bin_dir / "celery"), "-A", "factcheck", "worker", "--concurrency=2",
                       "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        }.items():  # fmt: skip
            log = open(logs / f"{name}.log", "w")  # noqa: SIM115  (lives as long as the process)
            procs.append(
                subprocess.Popen(
                    cmd,
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        base = f"http://127.0.0.1:{PORT}"
        deadline = time.monotonic() + 120
        while True:
            try:
                answer = requests.get(
                    base + "/healthz",
                    headers={"X-Forwarded-Proto": "https"},
                    timeout=5,
                    allow_redirects=False,
                )
                if answer.status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                print((logs / "web.log").read_text()[-3000:])
                return 1
            time.sleep(0.5)

        stats = Stats()
        scale = args.clients / 20
        roles = (
            ["reader"] * max(1, round(READERS * scale))
            + ["checker"] * max(1, round(CHECKERS * scale))
            + ["editor"] * max(1, round(EDITORS_N * scale))
        )[: args.clients]
        checker_names = [name for name, _, _ in data["checkers"]]
        stop_at = time.monotonic() + args.seconds

        def run_client(n: int, role: str) -> None:
            rng = random.Random(n)
            pool = data["checkers"] if role == "checker" else data["editors"]
            username, token, session = pool[n % len(pool)]
            client = Client(base, stats, username, token, session)
            while time.monotonic() < stop_at:
                if role == "reader":
                    reader(client, data["claim_ids"], rng)
                elif role == "checker":
                    checker(client, ratings, rng)
                else:
                    editor(client, checker_names, rng)

        print(f"load: {len(roles)} clients ({Counter(roles)}) for {args.seconds:.0f} s against "
              f"gunicorn on {base}, {N_CLAIMS} claims, {N_CHECKERS} fact-checkers, "
              f"{N_EDITORS} editors")  # fmt: skip
        started = time.monotonic()
        threads = [
            threading.Thread(target=run_client, args=(n, role)) for n, role in enumerate(roles)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

        total = sum(len(v) for v in stats.latency.values())
        everything = [x for v in stats.latency.values() for x in v]
        print(f"\n{total:,} requests in {elapsed:.1f} s: {total / elapsed:.1f} requests/s")
        print(f"{'request':<22}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
        for kind in sorted(stats.latency):
            samples = stats.latency[kind]
            print(row(kind, samples))
        print(row("all", everything))
        print("\nstatus codes: " + ", ".join(f"{k}: {v}" for k, v in sorted(stats.status.items())))
        print("writes: " + ", ".join(f"{k}: {v}" for k, v in sorted(stats.outcomes.items())))
        server_errors = sum(n for code, n in stats.status.items() if code >= 500 or code == 0)
        print(f"errors (5xx or no answer): {server_errors}")
        for line in stats.errors[:20]:
            print(f"  {line}")

        time.sleep(2)  # the worker's follow-up jobs (assignment runs, notifications)
        broken = check_invariants(data["since"])
        print(f"invariants: {'all hold' if not broken else f'{len(broken)} broken'} "
              "(version = events per claim; one active assignment, held by the assignee; "
              "no self-approval)")  # fmt: skip
        for line in broken[:20]:
            print(f"  {line}")
        return 1 if server_errors or broken else 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _drop_database(ADMIN_URL, LOAD_DB)


if __name__ == "__main__":
    sys.exit(main())
