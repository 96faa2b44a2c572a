"""Helpers for tests that run the product's real processes (gunicorn, Celery) as subprocesses."""

from __future__ import annotations

import os
import secrets
import socket
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"


def database_url(host: str | None = None, port: int | None = None) -> str:
    """The test database as a URL for another process (optionally through another address)."""
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = host or db.get("HOST") or "127.0.0.1"
    port = port or db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def production_env(**extra: str) -> dict[str, str]:
    """Debug off, a secret key of its own, behind a TLS proxy (requests say X-Forwarded-Proto)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "DJANGO_"))
    }
    env.update(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_BEHIND_TLS_PROXY": "1",
            "SITE_URL": "https://factcheck.example.org",
            "DJANGO_SETTINGS_MODULE": "factcheck.settings",
            "PYTHONUNBUFFERED": "1",
            "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "DATABASE_CONN_MAX_AGE": "0",
        }
    )
    env.update(extra)
    return env


def process_memory(pid: int) -> tuple[int, int]:
    """(resident set size in bytes, threads) of a process, from /proc."""
    rss = threads = 0
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, threads


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def wait_for_file(path: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.2)
    raise AssertionError(f"{path} did not appear within {timeout:.0f} s")
