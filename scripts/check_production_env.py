"""`make serve` runs the production way: it needs its configuration from the environment.

Exits 2 with what is missing (and why), so that `make serve` never starts on development
defaults: debug on, SQLite, or a broker folder on one machine's disk.
"""

from __future__ import annotations

import os
import sys

REQUIRED = {
    "DJANGO_SECRET_KEY": "50+ random characters, the same for every process "
    "(python -c 'import secrets; print(secrets.token_urlsafe(50))')",
    "DJANGO_ALLOWED_HOSTS": "this site's host names, comma-separated (e.g. factcheck.example.org)",
    "SITE_URL": "the public address of this site (e.g. https://factcheck.example.org): feeds, "
    "ClaimReview, CSV exports and emails link to it",
    "DATABASE_URL": "PostgreSQL, e.g. postgres://factcheck:PASSWORD@db.internal:5432/factcheck",
    "CELERY_BROKER_URL": "Redis, e.g. redis://redis.internal:6379/0",
}


def problems(env: dict[str, str]) -> list[str]:
    found = [f"  {name}: {why}" for name, why in REQUIRED.items() if not env.get(name, "").strip()]
    if env.get("DATABASE_URL", "").startswith("sqlite"):
        found.append("  DATABASE_URL: SQLite is the development default; serve from PostgreSQL")
    if env.get("CELERY_BROKER_URL", "").startswith("filesystem"):
        found.append("  CELERY_BROKER_URL: the filesystem broker is for development; use Redis")
    if env.get("DJANGO_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}:
        found.append("  DJANGO_DEBUG: unset it (make serve runs with debug off)")
    return found


def main() -> int:
    found = problems(dict(os.environ))
    if found:
        print(
            "make serve runs the production processes and reads its settings from the "
            "environment (README, 'Deploying'). Set:\n" + "\n".join(found),
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
