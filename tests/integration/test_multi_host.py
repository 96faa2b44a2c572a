"""More than one host: the web app and two Celery worker "hosts", each in a Linux network namespace
of its own, reach PostgreSQL and Redis only over veth links the test makes; one worker host's link
is cut in the middle of a batch, and the other finishes it.

Topology (10.231.K.0/24 is free on this machine when the test picks it; only these addresses are
ever used):

    root namespace (this test)                     namespaces
    10.231.K.1/30  ---- veth ----  10.231.K.2/30   web: gunicorn (factcheck/gunicorn.conf.py)
    10.231.K.5/30  ---- veth ----  10.231.K.6/30   w1:  celery worker (1 process)
    10.231.K.9/30  ---- veth ----  10.231.K.10/30  w2:  celery worker (1 process)

Redis is a redis-server of the test's own listening on the three root-side addresses (nothing on
disk). PostgreSQL is the test database, reached through a TCP forwarder the test runs on the same
addresses. The forwarder notices a dead peer the way a PostgreSQL server with tcp_keepalives_* set
does (README "Deploying"): after a few seconds it closes the server side, so the cut host's open
transaction is rolled back and its row locks freed.

The batch: articles pasted through the API (extraction jobs), their check-worthy claims assigned by
the assignment jobs. While w1 runs an extraction, its link goes down. w2 carries on. w1's article
stays where the lost job left it. Once the job's lease runs out (JOB_LEASE_SECONDS, shortened
here) the sweeper that beat runs on w2's host sends it again, and w2 does it. (Without the jobs
app's leases, the older sweeper's 10-minute window is used, the time moved past it rather than
waited for.) Then every article is ready, every claim filed once, every check-worthy claim assigned
once, each claim's version equals its events; and when w1's link comes back, its stale job changes
nothing.

Needs root and `ip netns`: skipped with the reason where namespaces cannot be made, never in CI
(CI=true fails instead). Namespaces, links and processes are removed whatever happens.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.apps import apps
from django.db import connection
from django.db.models import Count, F
from django.utils import timezone

from claims.api.tokens import token_create
from claims.models import Article, Claim, ClaimEvent
from reviewers.models import Assignment
from tests.factories import editor as make_editor
from tests.factories import fact_checker

from .stack import ROOT, children, database_url, free_port, production_env

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SEED = (ROOT / "claims" / "data" / "seed-article.txt").read_text(encoding="utf-8")
ARTICLES = 4
COPIES = 8  # ~260 sentences an article: a few seconds of extraction each on idle cores
SWEEPER_STALE = timedelta(minutes=10)  # reviewers.services.sweep_stuck's default window
# Jobs hold leases in PostgreSQL (the `jobs` app, issue 14): the lost job is redone when its lease
# runs out, by the sweeper beat runs. Shortened here, as the recovery tests do.
LEASES = apps.is_installed("jobs")
LEASE_ENV = {"JOB_LEASE_SECONDS": "15", "JOB_SWEEP_SECONDS": "3"} if LEASES else {}


def cannot(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI runs this test as root with iproute2: it must not skip).")
    pytest.skip(reason)


def run(*args: str, ns: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {done.stderr.strip()}")
    return done


def _addresses_in_use() -> str:
    return run("ip", "-o", "addr", "show").stdout


class Network:
    """Three namespaces, each joined to this one by a veth pair with a /30 of its own."""

    def __init__(self, names: list[str]):
        tag = f"{os.getpid() % 100000:05d}"
        used = _addresses_in_use()
        third = next(
            (k for k in range(os.getpid() % 200 + 20, 256) if f"10.231.{k}." not in used),
            None,
        ) or next(k for k in range(20, 256) if f"10.231.{k}." not in used)
        self.hosts = {}
        for i, name in enumerate(names):
            self.hosts[name] = {
                "ns": f"fcmh{tag}{name}",
                "outside": f"fm{tag}{name}o",
                "inside": f"fm{tag}{name}i",
                "gateway": f"10.231.{third}.{4 * i + 1}",
                "address": f"10.231.{third}.{4 * i + 2}",
            }
        self.made_ns: list[str] = []
        self.made_links: list[str] = []

    def create(self) -> None:
        for host in self.hosts.values():
            run("ip", "netns", "add", host["ns"])
            self.made_ns.append(host["ns"])
            run(
                "ip", "link", "add", host["outside"], "type", "veth", "peer", "name", host["inside"]
            )
            self.made_links.append(host["outside"])
            run("ip", "link", "set", host["inside"], "netns", host["ns"])
            run("ip", "addr", "add", f"{host['gateway']}/30", "dev", host["outside"])
            run("ip", "link", "set", host["outside"], "up")
            run("ip", "addr", "add", f"{host['address']}/30", "dev", host["inside"], ns=host["ns"])
            run("ip", "link", "set", host["inside"], "up", ns=host["ns"])
            run("ip", "link", "set", "lo", "up", ns=host["ns"])

    def cut(self, name: str) -> None:
        run("ip", "link", "set", self.hosts[name]["outside"], "down")

    def mend(self, name: str) -> None:
        run("ip", "link", "set", self.hosts[name]["outside"], "up")

    def remove(self) -> None:
        for link in self.made_links:
            run("ip", "link", "del", link, check=False)
        for ns in self.made_ns:
            run("ip", "netns", "del", ns, check=False)


class Forwarder:
    """TCP forwarder: listen on the link addresses, connect to PostgreSQL; a dead client side
    (keepalive or user timeout) closes the server side, as the server's own keepalives would."""

    def __init__(self, target: tuple[str, int], addresses: list[str]):
        self.target = target
        self.port = free_port()
        self.listeners = []
        for address in addresses:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((address, self.port))
            sock.listen(64)
            self.listeners.append(sock)
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.stopping = False

    def start(self) -> None:
        for sock in self.listeners:
            threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while not self.stopping:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            client.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 2)
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, 5000)
            try:
                server = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.open.update({client, server})
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
                with self.lock:
                    self.open.discard(sock)

    def stop(self) -> None:
        self.stopping = True
        for sock in self.listeners:
            sock.close()
        with self.lock:
            leftover = list(self.open)
        for sock in leftover:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


class Processes:
    """Subprocesses, each in a process group of its own, logs under tmp_path."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.procs: dict[str, subprocess.Popen] = {}
        self.files = []

    def start(self, name: str, cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115  (closed in stop_all)
        self.files.append(log)
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name] = proc
        return proc

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
        for log in self.files:
            log.close()

    def tail(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}"
            for p in sorted(self.logs.glob("*.log"))
        )


def article_text(n: int) -> str:
    copies = [
        SEED.replace("2021", str(1950 + (n * COPIES + c) % 70)).replace(
            "Afghanistan", f"Province {n}-{c}"
        )
        for c in range(COPIES)
    ]
    return f"Report {n} from the desk.\n\n" + "\n\n".join(copies)


def wait_until(predicate, *, timeout: float, what: str, logs: Processes) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}.\n{logs.tail()}")


def http(method: str, url: str, *, body=None, headers=None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def network():
    if os.geteuid() != 0:
        cannot("Network namespaces need root: run the multi-host test as root")
    if shutil.which("ip") is None:
        cannot("The multi-host test needs iproute2's `ip` (apt-get install iproute2)")
    if shutil.which("redis-server") is None:
        cannot("The multi-host test needs redis-server (apt-get install redis-server)")
    if connection.vendor != "postgresql":
        cannot(
            "The multi-host test needs PostgreSQL (DATABASE_URL=postgres://...): a host cut off "
            "from the network must lose the database too, and SQLite is a file every namespace "
            "shares"
        )
    probe = f"fcmhprobe{os.getpid()}"
    made = run("ip", "netns", "add", probe, check=False)
    if made.returncode != 0:
        cannot(f"`ip netns add` does not work here: {made.stderr.strip()}")
    run("ip", "netns", "del", probe, check=False)
    net = Network(["web", "w1", "w2"])
    try:
        net.create()
        yield net
    finally:
        net.remove()


def test_a_worker_host_cut_off_mid_batch_loses_nothing_and_doubles_nothing(
    network, tmp_path, monkeypatch
):
    # Celery prefers CELERY_BROKER_URL from the environment to an app's own broker: the test's
    # control app must talk to the test's Redis.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    # --- data the batch needs: an editor with a token, fact-checkers with room for every claim
    editor = make_editor("multihost-editor")
    token = token_create(user=editor).key
    for i in range(4):
        profile = fact_checker(f"multihost-checker{i}").reviewer_profile
        profile.capacity = 1000
        profile.save(update_fields=["capacity"])

    hosts = network.hosts
    gateways = [h["gateway"] for h in hosts.values()]
    procs = Processes(tmp_path)
    db = connection.settings_dict
    forwarder = Forwarder((db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)), gateways)
    redis_port = free_port()
    queue = f"multihost-{uuid.uuid4().hex[:8]}"
    control = Celery("multihost", broker=f"redis://{gateways[0]}:{redis_port}/0")
    control.conf.update(task_default_queue=queue, broker_connection_retry_on_startup=True)
    try:
        forwarder.start()
        procs.start(
            "redis",
            ["redis-server", "--port", str(redis_port), "--bind", *gateways,
             "--save", "", "--appendonly", "no", "--protected-mode", "no"],
            dict(os.environ),
        )  # fmt: skip

        def env_for(name: str, **extra) -> dict[str, str]:
            gateway = hosts[name]["gateway"]
            return production_env(
                DATABASE_URL=database_url(host=gateway, port=forwarder.port),
                CELERY_BROKER_URL=f"redis://{gateway}:{redis_port}/0",
                REDIS_URL=f"redis://{gateway}:{redis_port}/1",
                CELERY_TASK_DEFAULT_QUEUE=queue,
                DJANGO_ALLOWED_HOSTS=hosts["web"]["address"],
                FORWARDED_ALLOW_IPS=hosts["web"]["gateway"],
                FACTCHECK_VAR_DIR=str(tmp_path / f"var-{name}"),
                **LEASE_ENV,
                **extra,
            )

        web = f"http://{hosts['web']['address']}:8000"
        procs.start(
            "web",
            ["ip", "netns", "exec", hosts["web"]["ns"], str(ROOT / ".venv/bin/gunicorn"),
             "-c", "factcheck/gunicorn.conf.py", "factcheck.wsgi"],
            env_for("web", GUNICORN_BIND=f"{hosts['web']['address']}:8000", WEB_CONCURRENCY="2"),
        )  # fmt: skip
        for name in ("w1", "w2"):
            procs.start(
                name,
                ["ip", "netns", "exec", hosts[name]["ns"], str(ROOT / ".venv/bin/celery"),
                 "-A", "factcheck", "worker", "-n", f"{name}@{queue}", "-Q", queue,
                 "--concurrency=1", "--pool=prefork", "--without-gossip", "--without-mingle",
                 "--loglevel=INFO"],
                env_for(name),
            )  # fmt: skip

        def web_up() -> bool:
            try:
                return (
                    http("GET", f"{web}/healthz", headers={"X-Forwarded-Proto": "https"})[0] == 200
                )
            except OSError:
                return False

        wait_until(web_up, timeout=120, what="the web host", logs=procs)
        names = [f"w1@{queue}", f"w2@{queue}"]

        def both_workers_up() -> bool:
            replies = control.control.ping(destination=names, timeout=1.0) or []
            return {name for reply in replies for name in reply} == set(names)

        wait_until(both_workers_up, timeout=120, what="both worker hosts", logs=procs)

        # --- the batch, through the web host's API
        headers = {
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "X-Forwarded-Proto": "https",
        }
        ids = []
        for n in range(ARTICLES):
            status, body = http(
                "POST",
                f"{web}/api/v1/articles/",
                body=json.dumps({"text": article_text(n), "title": f"Report {n}"}).encode(),
                headers=headers,
            )
            assert status == 201, body[:500]
            ids.append(json.loads(body)["id"])

        # --- cut w1 while it runs an extraction it has just started
        held: int | None = None

        def w1_is_extracting() -> bool:
            nonlocal held
            asked = time.time()
            active = (control.control.inspect(destination=[names[0]], timeout=1.0).active()) or {}
            answered = time.time()
            for task in active.get(names[0], []):
                # Just started (as far as the answer's delay lets us tell): the cut lands while
                # it scores sentences, before it files claims.
                started = task.get("time_start") or 0
                recent = answered - started < 0.3 + (answered - asked)
                if task["name"] == "claims.extract_claims" and recent:
                    held = int(task["args"][0])
                    return True
            return False

        wait_until(w1_is_extracting, timeout=240, what="w1 to start an extraction", logs=procs)
        network.cut("w1")
        cut_at = timezone.now()
        assert held is not None

        # --- w2 finishes everything else; w1's article stays where the lost job left it
        others = [i for i in ids if i != held]
        wait_until(
            lambda: (
                Article.objects.filter(pk__in=others, status=Article.Status.READY).count()
                == len(others)
            ),
            timeout=420,
            what="w2 to extract the other articles",
            logs=procs,
        )
        stuck = Article.objects.get(pk=held)
        assert stuck.status in {Article.Status.PENDING, Article.Status.PROCESSING}, (
            f"w1's article {held} is {stuck.status}: the cut came after its job finished"
        )
        assert not Claim.objects.filter(article_id=held).exists()

        # --- its lease runs out and the sweeper sends the job again; w2 does it.
        if LEASES:
            lease = lost_job(held)
            if lease.holder:  # recorded before the cut: w1's pool process held it
                assert holder_pid(lease) in children(procs.procs["w1"].pid), lease.holder
            # beat (on w2's host) runs the sweepers every JOB_SWEEP_SECONDS
            procs.start(
                "beat",
                ["ip", "netns", "exec", hosts["w2"]["ns"], str(ROOT / ".venv/bin/celery"),
                 "-A", "factcheck", "beat", "--loglevel=INFO",
                 "-s", str(tmp_path / "beat-schedule")],
                env_for("w2"),
            )  # fmt: skip
        else:
            # Before leases: the time is moved past the sweeper's window instead of waited for,
            # and the sweeper (sent by beat in production) re-dispatches.
            Article.objects.filter(pk=held).update(
                updated_at=cut_at - SWEEPER_STALE - timedelta(minutes=1)
            )
            control.send_task("reviewers.sweep_stuck_claims", queue=queue)
        wait_until(
            lambda: Article.objects.get(pk=held).status == Article.Status.READY,
            timeout=300,
            what=f"the sweeper to have article {held} redone",
            logs=procs,
        )
        # The claims filed late are assigned (the sweeper's assignment run, or the job's own).
        wait_until(
            lambda: not Claim.objects.filter(article_id__in=ids, state=Claim.State.OPEN).exists(),
            timeout=180,
            what="every open claim to be assigned",
            logs=procs,
        )

        if LEASES:  # the sweeper sent the job again once its lease ran out, and w2 ran it
            wait_until(
                lambda: lost_job(held).state == "done", timeout=60, what="the job", logs=procs
            )
            lease = lost_job(held)
            assert lease.dispatches >= 1, "the sweeper sent the lost job again"
            assert holder_pid(lease) in children(procs.procs["w2"].pid), lease.holder

        # --- w1 comes back: its stale job and its unacknowledged message change nothing
        before = assignments_and_events(ids)
        network.mend("w1")
        time.sleep(8)
        control.send_task("reviewers.assign_open_claims", queue=queue)
        time.sleep(4)
        assert assignments_and_events(ids) == before, "the returning host changed something"
        assert "w2" in procs.procs and procs.procs["w2"].poll() is None
    finally:
        procs.stop_all()
        forwarder.stop()
        with contextlib.suppress(Exception):
            control.close()

    assert_the_batch_is_whole(ids, held)


def lost_job(article_id: int):
    from jobs.models import Job

    return Job.objects.get(task="claims.extract_claims", key=str(article_id))


def holder_pid(job) -> int:
    return int(job.holder.rsplit(":", 1)[1])


def assignments_and_events(ids: list[int]) -> tuple[int, int, int]:
    return (
        Assignment.objects.filter(claim__article_id__in=ids).count(),
        ClaimEvent.objects.filter(claim__article_id__in=ids).count(),
        Claim.objects.filter(article_id__in=ids).count(),
    )


def assert_the_batch_is_whole(ids: list[int], held: int) -> None:
    articles = Article.objects.filter(pk__in=ids)
    assert sorted(articles.filter(status=Article.Status.READY).values_list("pk", flat=True)) == (
        sorted(ids)
    )
    claims = Claim.objects.filter(article_id__in=ids)
    per_article = dict(claims.values_list("article_id").annotate(n=Count("pk")).order_by())
    # Every article has its claims, the re-done one as many as its twins of the same size.
    assert all(per_article.get(i, 0) > 50 for i in ids), per_article
    # Filed once: one position each, one "file" event each.
    positions = Counter(claims.values_list("article_id", "position"))
    assert not [key for key, n in positions.items() if n > 1]
    files = Counter(
        ClaimEvent.objects.filter(claim__article_id__in=ids, transition="file").values_list(
            "claim_id", flat=True
        )
    )
    assert len(files) == claims.count() and set(files.values()) == {1}
    # Assigned once: no claim left open, one assignment per assigned claim, held by its assignee.
    assert not claims.filter(state=Claim.State.OPEN).exists()
    assigned = claims.filter(state=Claim.State.ASSIGNED)
    assert assigned.count() > 0
    per_claim = Counter(
        Assignment.objects.filter(claim__article_id__in=ids).values_list("claim_id", flat=True)
    )
    assert set(per_claim) == set(assigned.values_list("pk", flat=True))
    assert set(per_claim.values()) == {1}
    assert not assigned.exclude(
        assignments__state=Assignment.State.ACTIVE, assignments__reviewer_id=F("assignee_id")
    ).exists()
    # Every change has its event: version == events, claim by claim.
    events = dict(
        ClaimEvent.objects.filter(claim__article_id__in=ids)
        .values_list("claim_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    mismatched = [
        (pk, version, events.get(pk, 0))
        for pk, version in claims.values_list("pk", "version")
        if version != events.get(pk, 0)
    ]
    assert not mismatched, mismatched[:10]
    assert Claim.objects.filter(article_id=held).count() == per_article[held]
