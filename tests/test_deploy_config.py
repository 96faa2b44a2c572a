"""The production server's configuration: gunicorn's settings, the Procfile, make serve's checks."""

from __future__ import annotations

import importlib.util
import multiprocessing
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent


def load_gunicorn_conf(monkeypatch, **env):
    for name in ("WEB_CONCURRENCY", "WEB_TIMEOUT", "WEB_MAX_REQUESTS", "WEB_WORKER_MAX_RSS_MB"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", ROOT / "factcheck/gunicorn.conf.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorn_defaults_are_the_documented_ones(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch, PORT="8123", HOST="127.0.0.1")
    assert conf.bind == "127.0.0.1:8123"
    assert conf.workers == min(2 * multiprocessing.cpu_count() + 1, 16)
    assert conf.worker_class == "sync"
    assert (conf.timeout, conf.graceful_timeout) == (30, 30)
    assert (conf.max_requests, conf.max_requests_jitter) == (1000, 100)
    assert conf.accesslog == "-" and conf.errorlog == "-"
    assert conf.control_socket_disable is True
    assert conf.WORKER_MAX_RSS_MB == 512


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    conf = load_gunicorn_conf(
        monkeypatch, WEB_CONCURRENCY="3", WEB_TIMEOUT="12", WEB_MAX_REQUESTS="50"
    )
    assert (conf.workers, conf.timeout, conf.max_requests, conf.max_requests_jitter) == (
        3,
        12,
        50,
        5,
    )


def test_a_worker_over_its_memory_limit_is_replaced_after_its_request(monkeypatch):
    warnings = []
    log = SimpleNamespace(warning=lambda *args: warnings.append(args[0] % args[1:]))
    over = load_gunicorn_conf(monkeypatch, WEB_WORKER_MAX_RSS_MB="1")  # this process is bigger
    worker = SimpleNamespace(alive=True, pid=123, log=log)
    over.post_request(worker, None, {}, None)
    assert worker.alive is False
    assert warnings and "(limit 1 MB): replacing it" in warnings[0]

    under = load_gunicorn_conf(monkeypatch, WEB_WORKER_MAX_RSS_MB="100000")
    worker = SimpleNamespace(alive=True, pid=124, log=log)
    under.post_request(worker, None, {}, None)
    assert worker.alive is True


def test_the_procfile_runs_web_worker_and_one_beat():
    lines = dict(
        line.split(":", 1)
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert set(lines) == {"web", "worker", "beat"}
    assert lines["web"].split() == [
        "gunicorn",
        "-c",
        "factcheck/gunicorn.conf.py",
        "factcheck.wsgi",
    ]
    assert "celery -A factcheck worker" in lines["worker"]
    assert "celery -A factcheck beat" in lines["beat"]


def test_the_server_packages_are_pinned():
    pins = (ROOT / "requirements.txt").read_text().splitlines()
    assert any(p.startswith("gunicorn==") for p in pins)
    assert any(p.startswith("honcho==") for p in pins)


def test_make_serve_refuses_to_start_without_its_environment():
    done = subprocess.run(
        [sys.executable, "scripts/check_production_env.py"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite:///x.db"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    for name in ("DJANGO_SECRET_KEY:", "DJANGO_ALLOWED_HOSTS:", "CELERY_BROKER_URL:"):
        assert name in done.stderr
    assert "DATABASE_URL: SQLite is the development default; serve from PostgreSQL" in done.stderr


def test_make_serve_starts_with_a_production_environment():
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "factcheck.example.org",
        "SITE_URL": "https://factcheck.example.org",
        "DATABASE_URL": "postgres://factcheck@db:5432/factcheck",
        "CELERY_BROKER_URL": "redis://redis:6379/0",
    }
    done = subprocess.run(
        [sys.executable, "scripts/check_production_env.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stderr) == (0, "")
