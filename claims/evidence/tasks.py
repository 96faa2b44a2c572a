"""Celery jobs for evidence: thin, ids in, explicit names, safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from claims.tasks import RETRY_TRANSIENT

from . import services
from .archive import ArchiveUnavailable


@shared_task(
    name="claims.check_evidence_link",
    **{**RETRY_TRANSIENT, "soft_time_limit": 120, "time_limit": 150},
)
def check_evidence_link(evidence_id: int) -> None:
    # A page that fails to load is an outcome to record, not an error to retry; the next
    # periodic recheck looks again.
    services.evidence_check_link(evidence_id=evidence_id)


@shared_task(
    name="claims.recheck_evidence_links",
    **{**RETRY_TRANSIENT, "soft_time_limit": 60, "time_limit": 90},
)
def recheck_evidence_links() -> int:
    """From beat: queue a check for each piece of evidence that is due one (a batch)."""
    ids = services.evidence_due_for_recheck()
    for evidence_id in ids:
        check_evidence_link.delay(evidence_id)
    return len(ids)


@shared_task(
    name="claims.archive_evidence",
    autoretry_for=(ArchiveUnavailable, OperationalError),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=4,
    # Public archives limit how fast one client may ask.
    rate_limit="6/m",
    soft_time_limit=150,
    time_limit=180,
)
def archive_evidence(evidence_id: int) -> None:
    try:
        services.evidence_archive(evidence_id=evidence_id)
    except ArchiveUnavailable:
        raise
    except services.archive.ArchiveError:
        pass  # recorded on the evidence; asking again would get the same answer
