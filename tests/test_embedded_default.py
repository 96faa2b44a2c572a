"""`make run`'s embedded default (SQLite): after the demo seed, every dashboard page and the
API list answer 200. The rest of the suite runs on PostgreSQL in CI, where PostgreSQL-only SQL
(ARRAY subqueries, for one) would pass unnoticed; this runs the pages on a real SQLite file in a
separate process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

VISIT = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import setup_test_environment
from claims.models import Article, Claim

setup_test_environment()
claim = Claim.objects.filter(topics__isnull=False).order_by("pk").first()
published = Claim.objects.filter(state="published").order_by("pk").first()
urls = [
    "/", "/claims/", "/claims/?topic=" + claim.topics.first().slug, "/claims/?q=Russia",
    f"/claims/{claim.pk}/", f"/claims/{published.pk}/", f"/articles/{claim.article_id}/",
    "/approvals/", "/reports/", "/reviewers/workload/", "/api/v1/claims/",
    "/api/v1/claims/?state=open&page_size=5", f"/api/v1/claims/{claim.pk}/",
]
editor = get_user_model().objects.filter(groups__name="Editors").order_by("pk").first()
client = Client(HTTP_HOST="localhost")
client.force_login(editor)
for url in urls:
    response = client.get(url)
    print(response.status_code, url)
topic = claim.topics.first().name
print("topic shown:", topic in client.get("/claims/").content.decode())
"""


def test_every_page_answers_on_the_embedded_sqlite_default(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.db'}",
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "factcheck.settings",
        "FACTCHECK_VAR_DIR": str(tmp_path / "var"),
    }
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
    done = subprocess.run(
        [sys.executable, "-c", VISIT],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    answers = [line for line in lines if line[:3].isdigit()]
    assert len(answers) == 13, done.stdout
    assert all(line.startswith("200 ") for line in answers), done.stdout
    assert "topic shown: True" in lines, done.stdout
