"""One settings module, configured from the environment.

Embedded default (nothing installed): SQLite under var/ and Celery's filesystem broker under var/.
Production: DATABASE_URL (PostgreSQL), CELERY_BROKER_URL / REDIS_URL (Redis). With debug off the
secret key and allowed hosts must be given: the settings fail closed.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE as CSP_NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FACTCHECK_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it (50+ random characters) in production, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DJANGO_DEBUG=1"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must list this site's host names in production."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.postgres",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "claims",
    "reviewers",
    "jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost: a database outage in a view becomes a 503 (factcheck/middleware.py).
    "factcheck.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"
ASGI_APPLICATION = "factcheck.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reviewers.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write at the same time: WAL, a busy timeout and IMMEDIATE
    # transactions so that the demo never shows "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Recovery: while PostgreSQL is down a request fails fast (a 503, not a hung web worker).
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(
        os.environ.get("DATABASE_CONNECT_TIMEOUT", "3")
    )
    # Prepared statements only where a statement asks for one (factcheck/db.py: the session,
    # the signed-in user with their permissions, the header's counts and the API's token check,
    # which took longer to plan than to run): Django's own cursors bind on the client and never
    # prepare, and no count reaches this threshold. Off with DATABASE_PREPARED_STATEMENTS=0,
    # e.g. behind a pooler in transaction mode that does not keep prepared statements (Django's
    # default, and then those statements are planned each time).
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 2**31 - 1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        # Fails open: with Redis down a cache read misses and a write is dropped (the API
        # throttles then let requests through) instead of failing the request.
        "default": {
            "BACKEND": "factcheck.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "factcheck@localhost")
# Where the file-based email backend writes (tests of worker processes count emails there).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# --- Celery ---------------------------------------------------------------------------------
# One visibility timeout, used everywhere Celery reads it (broker and result transport options),
# longer than any task's hard time limit and any countdown we schedule.
CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
if CELERY_TASK_TIME_LIMIT >= CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must exceed the task time limit.")

# A host name keeps kombu from warning; the filesystem transport itself ignores it.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "filesystem://localhost/"
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}

CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "assign-open-claims": {"task": "reviewers.assign_open_claims", "schedule": 60.0},
    "remind-due": {"task": "reviewers.remind_due", "schedule": 300.0},
    "expire-overdue": {"task": "reviewers.expire_overdue", "schedule": 300.0},
    "sweep-stuck-claims": {"task": "reviewers.sweep_stuck_claims", "schedule": 120.0},
    "sweep-lost-jobs": {"task": "claims.sweep_lost_work", "schedule": 60.0},
    # Each run queues a batch of link checks for evidence not checked for EVIDENCE_RECHECK_HOURS.
    "recheck-evidence-links": {"task": "claims.recheck_evidence_links", "schedule": 900.0},
    # Claims a lost extraction job left without "checked before" matching.
    "match-unmatched-claims": {"task": "claims.match_unmatched_claims", "schedule": 600.0},
    # Folds the rows the database appends on every change of claims into one a state
    # (claims/state_counts.py), so reading a count sums a few rows.
    "compact-claim-state-counts": {"task": "claims.compact_state_counts", "schedule": 60.0},
}

# --- Domain settings ------------------------------------------------------------------------
# Check-worthiness at or above this files a claim as "open"; below, as "candidate". Unset: the
# model's own threshold (best F1 on held-out debates; see claims/extraction/MODEL.md).
CLAIM_SCORE_THRESHOLD = (
    float(os.environ["CLAIM_SCORE_THRESHOLD"]) if os.environ.get("CLAIM_SCORE_THRESHOLD") else None
)
# Two thresholds on the calibrated score (claims/extraction/MODEL.md). At or above
# CLAIM_OPEN_THRESHOLD (chosen for precision) a claim opens; from CLAIM_CANDIDATE_THRESHOLD
# (chosen for recall) up to it, a candidate for triage; below, not check-worthy (kept,
# collapsed). Unset: the model's own. CLAIM_SCORE_THRESHOLD is the open threshold's old name.
CLAIM_OPEN_THRESHOLD = (
    float(os.environ["CLAIM_OPEN_THRESHOLD"])
    if os.environ.get("CLAIM_OPEN_THRESHOLD")
    else CLAIM_SCORE_THRESHOLD
)
CLAIM_CANDIDATE_THRESHOLD = (
    float(os.environ["CLAIM_CANDIDATE_THRESHOLD"])
    if os.environ.get("CLAIM_CANDIDATE_THRESHOLD")
    else None
)
# Cosine similarity (MiniLM sentence embeddings) at or above which claims are "checked before".
CLAIM_MATCH_THRESHOLD = float(os.environ.get("CLAIM_MATCH_THRESHOLD", "0.75"))
# Hours from assignment to deadline, per priority.
CLAIM_DEADLINE_HOURS = {"urgent": 4, "high": 24, "normal": 72, "low": 168}
# Editor approvals a verdict needs (PolitiFact-style desks use 2).
VERDICT_APPROVALS_REQUIRED = int(os.environ.get("VERDICT_APPROVALS_REQUIRED", "1"))
# Limits on input from outside.
ARTICLE_MAX_CHARS = 500_000
ARTICLE_MAX_BYTES = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
# Outbound fetches (article URLs, evidence links). Tests turn the private-address refusal off to
# reach their local server.
FETCH_TIMEOUT_SECONDS = 10
FETCH_MAX_BYTES = 5 * 1024 * 1024
FETCH_MAX_REDIRECTS = 5
FETCH_ALLOW_PRIVATE_ADDRESSES = env_bool("FETCH_ALLOW_PRIVATE_ADDRESSES", False)
FETCH_USER_AGENT = "FactcheckBot/0.1 (+https://example.org/factcheck)"
# Evidence links: how often each is checked again, how many checks one beat run queues, and the
# most text one snapshot keeps.
EVIDENCE_RECHECK_HOURS = int(os.environ.get("EVIDENCE_RECHECK_HOURS", "24"))
EVIDENCE_RECHECK_BATCH = int(os.environ.get("EVIDENCE_RECHECK_BATCH", "200"))
EVIDENCE_SNAPSHOT_MAX_CHARS = int(os.environ.get("EVIDENCE_SNAPSHOT_MAX_CHARS", "200000"))
# Optional web archive for evidence pages (Wayback Machine "Save Page Now" protocol:
# GET {endpoint}/save/{url}, the archived copy's address in Content-Location or Location).
ARCHIVE_ENABLED = env_bool("ARCHIVE_ENABLED", False)
ARCHIVE_ENDPOINT = os.environ.get("ARCHIVE_ENDPOINT", "https://web.archive.org")
ARCHIVE_TIMEOUT_SECONDS = int(os.environ.get("ARCHIVE_TIMEOUT_SECONDS", "90"))
# The organisation named as the author of published fact-checks.
FACTCHECK_ORGANISATION = {
    "name": os.environ.get("FACTCHECK_ORGANISATION_NAME", "Factcheck Desk"),
    "url": os.environ.get("FACTCHECK_ORGANISATION_URL", "https://factcheck.example.org/"),
}
# --- SITE_URL: the public base address in feeds, JSON-LD, CSV and emails ----------------------
# Absolute links must name the address readers use. In development it follows PORT (what
# `make run` serves on); in production it must be given, or links would point at a wrong host.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
if not SITE_URL:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SITE_URL is not set. Set it to the public address of this site "
            "(e.g. https://factcheck.example.org): feeds, ClaimReview JSON-LD, CSV exports "
            "and notification emails link to it."
        )
    SITE_URL = f"http://127.0.0.1:{os.environ.get('PORT', '').strip() or '8000'}"
elif not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"SITE_URL must start with http:// or https:// (it is {SITE_URL!r})."
    )

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first, so that an anonymous request gets 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's token check that also loads the user's permissions (claims/api/authentication.py)
        "claims.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "claims.api.errors.api_exception_handler",
    # Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE are refused with 413.
    "DEFAULT_PARSER_CLASSES": [
        "claims.api.parsers.LimitedJSONParser",
        "claims.api.parsers.LimitedFormParser",
        "claims.api.parsers.LimitedMultiPartParser",
    ],
    # Scoped rates (claims/api/throttles.py); counters in the default cache (Redis if configured).
    "DEFAULT_THROTTLE_RATES": {
        "login": os.environ.get("API_THROTTLE_LOGIN", "10/min"),
        "token": os.environ.get("API_THROTTLE_TOKEN", "20/hour"),
        "ingestion": os.environ.get("API_THROTTLE_INGESTION", "120/hour"),
        "exports": os.environ.get("API_THROTTLE_EXPORTS", "30/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Factcheck API",
    "DESCRIPTION": "Articles, claims, evidence, verdicts and reports of the fact-check workflow.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "claims.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ClaimStateEnum": "claims.models.Claim.State",
        "ClaimPriorityEnum": "claims.models.Claim.Priority",
        "DismissReasonEnum": "claims.models.Claim.DismissReason",
        "VerdictStateEnum": "claims.models.Verdict.State",
        "ArticleStatusEnum": "claims.models.Article.Status",
        "ArticleSourceEnum": "claims.models.Article.Source",
        "ExportStateEnum": "claims.models.Export.State",
        "ExportFormatEnum": "claims.models.Export.Format",
        "AssignmentStateEnum": "reviewers.models.Assignment.State",
        "StanceEnum": "claims.models.Evidence.Stance",
        "LinkStatusEnum": "claims.models.Evidence.LinkStatus",
    },
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Deadline chasing: remind this many hours before the deadline; expire this long after it.
REMINDER_HOURS_BEFORE = int(os.environ.get("REMINDER_HOURS_BEFORE", "2"))
EXPIRY_GRACE_HOURS = int(os.environ.get("EXPIRY_GRACE_HOURS", "2"))

# Task modules outside an app's tasks.py, imported by the worker at start (exports' build job).
CELERY_IMPORTS = ["claims.exports.tasks"]

# Dashboard pages: the styled 403 for any refused view (no traceback in the log) and
# `Cache-Control: no-store` on signed-in working pages (claims/views/common.py).
MIDDLEWARE += ["claims.views.common.DashboardPages"]

# --- Bounded cost per request and per job (issue 14; README "Deploying") ---------------------
# An article is at most ARTICLE_MAX_CHARS characters (above) and ARTICLE_MAX_SENTENCES sentences:
# every way in (ingest page, API, ingest_article, URL fetch) refuses more with a sentence saying
# so, which bounds one extraction job (about 480 sentences/s to score).
ARTICLE_MAX_SENTENCES = int(os.environ.get("ARTICLE_MAX_SENTENCES", "5000"))
# Any request body over this many bytes is refused with 413 before it is read (an uploaded file
# of ARTICLE_MAX_BYTES plus the form around it fits).
REQUEST_MAX_BYTES = int(os.environ.get("REQUEST_MAX_BYTES", str(8 * 1024 * 1024)))
# Just after authentication: the refusal page knows who is signed in; nothing has read the body.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "factcheck.limits.RequestSizeLimitMiddleware",
)
# An uploaded file over this (Django's default, 2.5 MB) is spooled to a temporary file, not held
# in the web worker's memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# --- end of bounded cost ---------------------------------------------------------------------

# --- Security: sign-in lockouts, client addresses, CSP and other headers (issue 11) ----------
# How many reverse proxies in front of the app append to X-Forwarded-For. 0 (default): the header
# is ignored and REMOTE_ADDR is the client. The API throttles and the sign-in lockouts count by
# this address (factcheck/security.py: client_address).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
# List filters refuse what the schema calls invalid (page_size, booleans, ids) with a 400, and
# the schema states the rules the inputs and views enforce (claims/api/schema.py).
REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"] = ["claims.api.filtering.StrictFilterBackend"]
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"].append("claims.api.schema.state_the_rules")
INSTALLED_APPS += ["axes", "csp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1,
    "factcheck.security.PermissionsPolicyMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last: turns a lockout into its 429 page
TEMPLATES[0]["OPTIONS"]["context_processors"].append("csp.context_processors.nonce")
# Failed sign-ins (dashboard, admin, API session login and token) are counted in the database by
# django-axes, per account and per address: LOGIN_FAILURE_LIMIT failures lock that account, and
# that address, for LOGIN_LOCKOUT_MINUTES (each further try restarts the wait). In the database
# and not the cache, so a Redis outage neither lifts the lockouts nor stops people signing in.
AUTHENTICATION_BACKENDS = [
    "factcheck.security.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_CLIENT_IP_CALLABLE = "factcheck.security.client_address"
AXES_LOCKOUT_CALLABLE = "factcheck.security.lockout_response"
# A success does not wipe the failures: otherwise signing in to one's own account from an
# address would reset that address's count against someone else's.
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # who signed in is not ours to keep; failures are
AXES_VERBOSE = False
# A Content-Security-Policy on every page: scripts only from our origin or with this request's
# nonce; no plugins, no framing, forms post only to us. Style attributes stay allowed (score bars
# set their width inline; styles cannot run script), <style> elements need the nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'", CSP_NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Sent by Django's SecurityMiddleware; stated here so that a change is deliberate (tests check).
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REFERRER_POLICY = "same-origin"
# --- end of the security block -------------------------------------------------------------

# --- Recovery (README "Recovery") ------------------------------------------------------------
# A running job holds a lease this long, renewed every third of it while it works; a killed
# worker's job is sent again by the next sweep after the lease runs out, so lost work is redone
# within JOB_LEASE_SECONDS + JOB_SWEEP_SECONDS (under 2 minutes). The tests shorten both.
JOB_LEASE_SECONDS = int(os.environ.get("JOB_LEASE_SECONDS", "45"))
JOB_SWEEP_SECONDS = float(os.environ.get("JOB_SWEEP_SECONDS", "60"))
# Runs that die (lease ran out) before a job is given up and its article or export failed.
JOB_MAX_LOST = int(os.environ.get("JOB_MAX_LOST", "3"))
# Unsent notification emails are retried for this long (a broker outage may last a weekend).
NOTIFICATION_EMAIL_RETRY_DAYS = int(os.environ.get("NOTIFICATION_EMAIL_RETRY_DAYS", "7"))
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "15"))
# Beat runs every periodic job with `scheduled=True`: each run claims its slot in PostgreSQL, so a
# second beat doubles nothing (jobs/scheduling.py). Sweeps and assignment run every sweep
# period; reminders and expiry every minute (each is a cheap indexed query when nothing is due);
# the claims sweeper also matches claims a lost job left unmatched.
for _entry in CELERY_BEAT_SCHEDULE.values():
    _entry.setdefault("kwargs", {})["scheduled"] = True
CELERY_BEAT_SCHEDULE["sweep-stuck-claims"]["schedule"] = JOB_SWEEP_SECONDS
CELERY_BEAT_SCHEDULE["sweep-lost-jobs"]["schedule"] = JOB_SWEEP_SECONDS
CELERY_BEAT_SCHEDULE["assign-open-claims"]["schedule"] = min(60.0, JOB_SWEEP_SECONDS)
CELERY_BEAT_SCHEDULE["remind-due"]["schedule"] = min(60.0, JOB_SWEEP_SECONDS)
CELERY_BEAT_SCHEDULE["expire-overdue"]["schedule"] = min(60.0, JOB_SWEEP_SECONDS)

# --- Dashboard pages (issue 13; README "Performance") ---------------------------------------
# Form widgets written in Python with the same HTML as Django's widget templates (a <select>
# was one template render per <option>): factcheck/forms_renderer.py.
FORM_RENDERER = "factcheck.forms_renderer.PythonWidgetRenderer"
# Database sessions, read with one plain statement instead of the ORM's (factcheck/sessions.py).
SESSION_ENGINE = "factcheck.sessions"
