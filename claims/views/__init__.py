"""Dashboard pages. They render what selectors return and call services; they never decide."""

from .account import api_token
from .claim import claim_detail, verdict_detail
from .claim_actions import claim_action
from .health import healthz
from .ingest import article_detail, article_status, article_triage, ingest
from .lists import approvals, claim_bulk, claim_list
from .overview import overview
from .queue import home, queue
from .reports import reports

__all__ = [
    "api_token",
    "approvals",
    "article_detail",
    "article_status",
    "article_triage",
    "claim_action",
    "claim_bulk",
    "claim_detail",
    "claim_list",
    "healthz",
    "home",
    "ingest",
    "overview",
    "queue",
    "reports",
    "verdict_detail",
]
