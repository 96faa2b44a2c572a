"""Real processes for the recovery tests: a Redis server of the test's own, Celery workers and
beats, a throwaway PostgreSQL. Nothing here touches the shared servers (never the Redis on 6379,
never the shared PostgreSQL): each test starts, stops and flushes only what it started."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def real_servers() -> bool:
    return connection.vendor == "postgresql" and settings.CELERY_BROKER_URL.startswith("redis")


def require_real_servers(what: str) -> None:
    """These tests need PostgreSQL (and redis-server); in CI they fail without them, elsewhere
    they are skipped with the reason."""
    import pytest

    problems = []
    if connection.vendor != "postgresql":
        problems.append(f"the database is {connection.vendor}, not PostgreSQL (DATABASE_URL)")
    if shutil.which("redis-server") is None:
        problems.append("redis-server is not installed")
    if not problems:
        return
    message = f"{what}: PostgreSQL and redis-server are required, but " + "; ".join(problems) + "."
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message)
    pytest.skip(message)


def free_port(start: int = 6390) -> int:
    for port in range(start, start + 200):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port")


def database_url(name: str | None = None, port: int | None = None) -> str:
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{auth}@{host}:{port or db.get('PORT') or 5432}/{name or db['NAME']}"


class RedisServer:
    """A redis-server of the test's own on a free port (6390 and up), keeping nothing on disk."""

    def __init__(self, tmp_path: Path):
        self.port = free_port(6390)
        self.dir = tmp_path
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.ping():
                return self
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), 1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def flush(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), 2) as s:
            s.sendall(b"FLUSHALL\r\n")
            assert s.recv(16).startswith(b"+OK")

    def stop(self) -> None:
        """Kill it: whatever it held (queued and unacknowledged messages) is gone."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


class Processes:
    """Celery workers and beats on a queue of their own, stopped (or killed) by the test."""

    def __init__(self, tmp_path: Path, broker_url: str, **env):
        self.queue = f"recovery-{uuid.uuid4().hex[:8]}"
        self.logs = tmp_path
        self.procs: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "DATABASE_CONN_MAX_AGE": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "JOB_LEASE_SECONDS": "4",
            "JOB_SWEEP_SECONDS": "2",
            "WORKER_HEARTBEAT_SECONDS": "1",
            **{k: str(v) for k, v in env.items()},
        }

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115  (closed with the process)
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "factcheck", *args],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed with its pool children
        )  # fmt: skip
        self.procs.append(proc)
        return proc

    def worker(self, concurrency: int = 2) -> subprocess.Popen:
        n = len(self.procs)
        return self._start(
            f"worker{n}",
            ["worker", f"--concurrency={concurrency}", "--pool=prefork", "-Q", self.queue,
             "-n", f"{self.queue}-{n}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel=WARNING"],
        )  # fmt: skip

    def beat(self) -> subprocess.Popen:
        n = len(self.procs)
        return self._start(
            f"beat{n}", ["beat", "-s", str(self.logs / f"beat{n}-schedule"), "--loglevel=WARNING"]
        )

    def kill(self, proc: subprocess.Popen) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)

    def close(self) -> None:
        for proc in self.procs:
            self.stop(proc)

    def log_tail(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.logs.glob("*.log"))
        )

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logs.glob("*.log")))


@contextlib.contextmanager
def broker(url: str):
    """Point this test process's Celery app (what services send through) at `url`."""
    from factcheck.celery import app

    def reset():
        from kombu import pools

        pools.reset()  # closes and forgets every pooled connection (any URL)
        app._pool = None
        app.amqp._producer_pool = None

    # Celery reads CELERY_BROKER_URL from the environment before its configuration.
    old, old_env = app.conf.broker_url, os.environ.get("CELERY_BROKER_URL")
    reset()
    app.conf.broker_url = os.environ["CELERY_BROKER_URL"] = url
    try:
        yield app
    finally:
        reset()
        app.conf.broker_url = old
        if old_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = old_env


def wait_until(predicate, *, timeout: float, what: str, procs: Processes | None = None) -> float:
    """Poll until true; returns the seconds it took. Fails with the processes' logs."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.25)
    tail = procs.log_tail() if procs else ""
    raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}.\n{tail}")


def postgres_bindir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return versions[-1].parent if versions else None


class ThrowawayPostgres:
    """A PostgreSQL cluster of the test's own (initdb in a temporary folder, run as the
    `postgres` user, on a free port): the test may stop and start it. The shared server is
    never touched."""

    def __init__(self):
        import tempfile

        self.bindir = postgres_bindir()
        self.port = free_port(5440)
        self.dir = Path(tempfile.mkdtemp(prefix="factcheck-pg-"))
        self.data = self.dir / "data"

    @staticmethod
    def available() -> str | None:
        """None when one can be made here, else why not."""
        import pwd

        if postgres_bindir() is None:
            return "initdb is not installed"
        if os.geteuid() != 0:
            return "the tests are not run as root (initdb must run as the postgres user)"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "there is no postgres user"
        if shutil.which("runuser") is None:
            return "runuser is not installed"
        return None

    def _as_postgres(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            check=True, capture_output=True, timeout=timeout, cwd=self.dir,
        )  # fmt: skip

    def init(self) -> ThrowawayPostgres:
        shutil.chown(self.dir, "postgres", "postgres")
        self._as_postgres(
            str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        return self

    def start(self) -> None:
        self._as_postgres(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.dir / "log"),
            "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )  # fmt: skip

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._as_postgres(
                str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w", "-m", "fast", "stop"
            )

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def copy_database(self, source_url: str, name: str) -> None:
        """The test database (schema and rows, as committed now) into a new database here."""
        subprocess.run(
            ["psql", self.url("postgres"), "-q", "-c", f"CREATE DATABASE {name}"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        dump = subprocess.run(
            ["pg_dump", "--no-owner", "--no-privileges", source_url],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        subprocess.run(
            ["psql", self.url(name), "-q", "-v", "ON_ERROR_STOP=1"],
            input=dump.stdout, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
