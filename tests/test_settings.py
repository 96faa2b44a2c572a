"""Settings fail closed in production, and `check --deploy` is clean under production settings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        input="Unemployment fell to 4% in 2024.\n",
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_refuses_to_start():
    result = manage("check", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="factcheck.example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_web_app_and_worker_never_default_to_debug():
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    for module in ("factcheck.wsgi", "factcheck.celery"):
        result = subprocess.run(
            [sys.executable, "-c", f"import {module}; import django.conf as c; c.settings.DEBUG"],
            cwd=ROOT,
            env=base,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0, module
        assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_command_line_defaults_to_development_mode():
    result = manage("extract_claims", "-", "--sentences", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    assert '"text": "Unemployment fell to 4% in 2024."' in result.stdout


def test_production_without_allowed_hosts_refuses_to_start():
    result = manage("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must list" in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="factcheck.example.org",
        SITE_URL="https://factcheck.example.org",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_sqlite_default_uses_wal_and_immediate_transactions(settings):
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        assert db["ENGINE"] == "django.db.backends.postgresql"
        return
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_celery_is_configured_for_safe_redelivery():
    from factcheck.celery import app

    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"] and conf.task_ignore_result
    if conf.broker_url.startswith("redis"):
        assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
        assert (
            conf.result_backend_transport_options["visibility_timeout"]
            == conf.broker_transport_options["visibility_timeout"]
        )
