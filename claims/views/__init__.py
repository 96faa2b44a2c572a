"""Dashboard pages. They render what selectors return and call services; they never decide."""

from .account import api_token
from .claim import claim_action, claim_detail, verdict_detail
from .ingest import article_detail, article_status, article_triage, ingest
from .lists import approvals, claim_bulk, claim_list
from .overview import overview
from .queue import healthz, home, queue
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
