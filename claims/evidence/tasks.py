"""Celery jobs for evidence: thin, ids in, explicit names, safe to run twice.

Link checks and archive requests run under a lease (jobs.leases), queued through `queue_*` in
the caller's transaction: a lost one is sent again by the claims sweeper within minutes.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from jobs import leases, scheduling
from jobs.retry import RETRY_TRANSIENT

from . import services
from .archive import ArchiveUnavailable

CHECK_LINK = "claims.check_evidence_link"
ARCHIVE = "claims.archive_evidence"


def queue_link_check(evidence_id: int) -> None:
    leases.enqueue(CHECK_LINK, evidence_id, key=evidence_id)


def queue_archive(evidence_id: int) -> None:
    leases.enqueue(ARCHIVE, evidence_id, key=evidence_id)


@shared_task(
    name="claims.check_evidence_link",
    **{**RETRY_TRANSIENT, "soft_time_limit": 120, "time_limit": 150},
)
def check_evidence_link(evidence_id: int) -> None:
    # A page that fails to load is an outcome to record, not an error to retry; the next
    # periodic recheck looks again.
    with leases.lease(CHECK_LINK, evidence_id) as job:
        if job is not None:
            services.evidence_check_link(evidence_id=evidence_id)


@shared_task(
    name="claims.recheck_evidence_links",
    **{**RETRY_TRANSIENT, "soft_time_limit": 60, "time_limit": 90},
)
def recheck_evidence_links(scheduled: bool = False) -> int:
    """From beat: queue a check for each piece of evidence that is due one (a batch)."""
    if scheduled and not scheduling.claim_slot("claims.recheck_evidence_links"):
        return 0
    ids = services.evidence_due_for_recheck()
    for evidence_id in ids:
        queue_link_check(evidence_id)
    return len(ids)


@shared_task(
    name="claims.archive_evidence",
    autoretry_for=(ArchiveUnavailable, OperationalError, InterfaceError),
    retry_backoff=60,
    # Under the broker's visibility timeout (a countdown past it is delivered twice).
    retry_backoff_max=1800,
    retry_jitter=False,
    max_retries=4,
    # Public archives limit how fast one client may ask.
    rate_limit="6/m",
    soft_time_limit=150,
    time_limit=180,
)
def archive_evidence(evidence_id: int) -> None:
    try:
        with leases.lease(
            ARCHIVE,
            evidence_id,
            retry_on=(ArchiveUnavailable, OperationalError, InterfaceError),
            retry_wait=2000,  # past the longest backoff above
        ) as job:
            if job is not None:
                services.evidence_archive(evidence_id=evidence_id)
    except ArchiveUnavailable:
        raise
    except services.archive.ArchiveError:
        pass  # recorded on the evidence; asking again would get the same answer
