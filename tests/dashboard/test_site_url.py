"""SITE_URL: every absolute link names it; development follows PORT; production requires it."""

import json
import os
import re
import secrets
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core import mail
from django.test import override_settings

from claims.exports.selectors import public_url
from reviewers.models import Notification
from reviewers.notifications import send_emails
from tests.exports.data import verdict_claim

ROOT = Path(__file__).resolve().parent.parent.parent
SITE = "http://127.0.0.1:8123"


def settings_in_subprocess(**env) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in {"SITE_URL", "PORT"}
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SITE_URL)",
        ],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "factcheck.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "factcheck.example.org",
}


def test_production_without_site_url_refuses_to_start_and_says_why():
    result = settings_in_subprocess(**PRODUCTION)
    assert result.returncode != 0
    assert "SITE_URL is not set" in result.stderr
    assert "public address of this site" in result.stderr


def test_site_url_must_be_http_or_https():
    result = settings_in_subprocess(**PRODUCTION, SITE_URL="factcheck.example.org")
    assert result.returncode != 0
    assert "SITE_URL must start with http:// or https://" in result.stderr


def test_production_with_site_url_starts_and_drops_a_trailing_slash():
    result = settings_in_subprocess(**PRODUCTION, SITE_URL="https://factcheck.example.org/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://factcheck.example.org"


def test_development_follows_port():
    result = settings_in_subprocess(DJANGO_DEBUG="1", PORT="8123")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == SITE


def test_make_run_passes_site_url_from_port():
    makefile = (ROOT / "Makefile").read_text()
    assert "SITE_URL ?= http://127.0.0.1:$(PORT)" in makefile
    assert "export SITE_URL" in makefile
    script = (ROOT / "scripts" / "run_demo.py").read_text()
    assert '"SITE_URL": os.environ.get("SITE_URL") or f"http://127.0.0.1:{port}"' in script


def test_readme_documents_site_url():
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"^\| `SITE_URL` \|.*required when debug is off", readme, re.M)


@pytest.mark.django_db
@override_settings(SITE_URL=SITE)
def test_every_absolute_link_comes_from_site_url(client, editor, checker):
    claim = verdict_claim(author=checker, decider=editor)
    expected = f"{SITE}/fact-checks/{claim.pk}/"
    assert public_url(claim.pk) == expected

    html = client.get(f"/fact-checks/{claim.pk}/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    assert data["url"] == expected
    assert expected in json.dumps(data)
    assert "8000" not in json.dumps(data)

    feed = json.loads(client.get("/fact-checks/feed.jsonld").content)
    text = json.dumps(feed)
    assert f"{SITE}/fact-checks/feed.jsonld" in text and expected in text
    assert "127.0.0.1:8000" not in text

    rss = ET.fromstring(client.get("/fact-checks/feed.rss").content)  # noqa: S314 - our feed
    channel = rss.find("channel")
    assert channel.findtext("link") == f"{SITE}/fact-checks/"
    (item,) = channel.findall("item")
    assert item.findtext("link") == expected
    assert item.findtext("guid") == expected

    client.force_login(editor)
    response = client.get("/reports/export/", {"format": "csv", "state": "published"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert expected in body


@pytest.mark.django_db
@override_settings(SITE_URL=SITE, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_notification_email_links_to_site_url(editor):
    editor.email = "editor@example.org"
    editor.save()
    note = Notification.objects.create(user=editor, kind="info", message="Claim 1 waits for you.")
    assert send_emails(notification_ids=[note.pk]) == 1
    (message,) = mail.outbox
    assert f"{SITE}/reviewers/notifications/" in message.body
