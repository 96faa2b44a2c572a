"""Writes on evidence: the link check, the quote check and the archive link.

A link check fetches the page outside any transaction (never hold a row lock across the
network), then records the outcome under a row lock in one transaction:
- the outcome in words (ok, moved, gone, blocked, timed out, error), HTTP status, final address,
  content type, page title and when it was checked;
- a snapshot of the page's main text with the sha256 of the raw bytes and of the text, kept only
  when the text differs from the latest snapshot (so checking twice stores nothing twice);
- whether the text changed since the version that was cited (the first snapshot);
- whether the quoted excerpt is in the text as fetched;
- when the link breaks or the text changes, a ClaimEvent, and for a published fact-check the
  `evidence_broken` signal (the reviewers app tells the editors).
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone

from claims import permissions
from claims.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from claims.models import Claim, ClaimEvent, Evidence, EvidenceSnapshot, Verdict
from claims.signals import evidence_added, evidence_broken

from . import archive, quotes
from .probe import LinkCheck, probe
from .selectors import format_date

logger = logging.getLogger(__name__)

LinkStatus = Evidence.LinkStatus
BROKEN = {LinkStatus.GONE, LinkStatus.ERROR}


# --- Adding it ---------------------------------------------------------------------------------

PUBLISHED_SOURCES = (
    "This fact-check is published: its sources change only through a correction. Propose a "
    "correction that adds (or withdraws) the source; it shows, dated, on the public page once "
    "another editor approves it."
)


def evidence_values(
    *,
    url: str,
    title: str = "",
    publisher: str = "",
    stance: str = "context",
    excerpt: str = "",
    note: str = "",
) -> dict:
    """A source as given, checked: http(s) address, known stance, fields cut to their size."""
    from claims.services import validate_http_url

    url = validate_http_url(url)
    stance = stance or Evidence.Stance.CONTEXT
    if stance not in Evidence.Stance.values:
        raise InvalidInput(f"Stance must be one of {', '.join(Evidence.Stance.values)}.")
    return {
        "url": url,
        "title": (title or "")[:500],
        "publisher": (publisher or "")[:200],
        "stance": stance,
        "excerpt": excerpt or "",
        "note": note or "",
    }


def attach_evidence(
    claim: Claim, actor, values: dict, *, correction: Verdict | None = None
) -> Evidence:
    """Create the row and announce it (its link is checked after commit). The caller holds the
    claim's lock and records the change (version and ClaimEvent)."""
    evidence = Evidence.objects.create(
        claim=claim,
        added_by=actor,
        correction=correction,
        quote_status=(
            Evidence.QuoteStatus.PENDING if values["excerpt"] else Evidence.QuoteStatus.NONE
        ),
        **values,
    )
    evidence_added.send(sender=Evidence, evidence=evidence)
    return evidence


def evidence_add(
    *,
    claim_id: int,
    actor,
    url: str,
    title: str = "",
    publisher: str = "",
    stance: str = "context",
    excerpt: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> Evidence:
    """Attach a source to a claim that is not published yet (the assignee or an editor).

    Bumps the claim's version and writes an `add_evidence` ClaimEvent. A published
    fact-check's sources change only through a correction (claims/corrections.py).
    """
    from claims import workflow

    values = evidence_values(
        url=url, title=title, publisher=publisher, stance=stance, excerpt=excerpt, note=note
    )
    with transaction.atomic():
        claim = workflow.lock_claim(claim_id)
        workflow.check_version(claim, expected_version)
        if not permissions.can_add_evidence(actor, claim):
            raise PermissionDenied("Only the claim's assignee or an editor can add evidence to it.")
        if claim.state == Claim.State.PUBLISHED:
            raise TransitionNotAllowed(PUBLISHED_SOURCES)
        evidence = attach_evidence(claim, actor, values)
        workflow.record_change(
            claim,
            "add_evidence",
            actor,
            {"evidence": evidence.pk, "url": evidence.url, "stance": evidence.stance},
        )
    return evidence


# --- Recording it -----------------------------------------------------------------------------


def evidence_check_link(*, evidence_id: int) -> Evidence | None:
    """Check one evidence link and record what was found. Safe to run twice, or at once."""
    url = Evidence.objects.filter(pk=evidence_id).values_list("url", flat=True).first()
    if url is None:
        logger.info("check_evidence_link: evidence %s no longer exists", evidence_id)
        return None
    check = probe(url)
    return _record_check(evidence_id=evidence_id, check=check, now=timezone.now())


def _record_check(*, evidence_id: int, check: LinkCheck, now: datetime) -> Evidence | None:
    with transaction.atomic():
        evidence = (
            Evidence.objects.select_for_update(of=("self",))
            .select_related("claim")
            .filter(pk=evidence_id)
            .first()
        )
        if evidence is None:
            return None
        was_broken = evidence.link_status in BROKEN
        was_changed = evidence.changed_since_cited
        evidence.link_status = check.status
        evidence.link_detail = check.detail
        evidence.http_status = check.http_status
        evidence.final_url = check.final_url[:2000]
        evidence.content_type = check.content_type[:120]
        if check.title:
            evidence.page_title = check.title[:500]
        evidence.checked_at = now
        fields = [
            "link_status",
            "link_detail",
            "http_status",
            "final_url",
            "content_type",
            "page_title",
            "checked_at",
        ]
        if check.page is not None:
            fields += _record_page(evidence, check, now)
        evidence.save(update_fields=fields)
        reason = None
        if evidence.link_status in BROKEN and not was_broken:
            reason = "gone" if evidence.link_status == LinkStatus.GONE else "error"
        elif evidence.changed_since_cited and not was_changed:
            reason = "changed"
        if reason:
            _announce(evidence, reason)
        if evidence.link_status in {LinkStatus.OK, LinkStatus.MOVED}:
            _schedule_archive(evidence)
    return evidence


def _record_page(evidence: Evidence, check: LinkCheck, now: datetime) -> list[str]:
    page = check.page
    snapshots = evidence.snapshots.only("pk", "text_sha256", "fetched_at")
    latest = snapshots.order_by("-fetched_at", "-pk").first()
    if latest is None or latest.text_sha256 != page.text_sha256:
        EvidenceSnapshot.objects.create(
            evidence=evidence,
            fetched_at=now,
            http_status=check.http_status,
            final_url=check.final_url[:2000],
            content_type=check.content_type[:120],
            title=check.title[:500],
            raw_sha256=page.raw_sha256,
            text_sha256=page.text_sha256,
            text=page.text,
            size=page.size,
            outcome=check.status,
            truncated=page.truncated,
        )
    cited = snapshots.order_by("fetched_at", "pk").first()
    evidence.changed_since_cited = cited is not None and cited.text_sha256 != page.text_sha256
    fields = ["changed_since_cited"]
    if evidence.excerpt.strip():
        found = quotes.quote_in_text(evidence.excerpt, page.text)
        evidence.quote_status = (
            Evidence.QuoteStatus.FOUND if found else Evidence.QuoteStatus.NOT_FOUND
        )
        evidence.quote_checked_at = now
        fields += ["quote_status", "quote_checked_at"]
    return fields


def _announce(evidence: Evidence, reason: str) -> None:
    claim = evidence.claim
    name = evidence.title or evidence.page_title or evidence.url
    if reason == "changed":
        message = (
            f"Evidence for claim {claim.pk} changed since it was cited on "
            f"{format_date(evidence.created_at)}: {name} ({evidence.url})."
        )
    else:
        message = f"Evidence for claim {claim.pk} is broken: {name} ({evidence.url}). " + (
            evidence.link_detail or ""
        )
    ClaimEvent.objects.create(
        claim=claim,
        actor=None,
        transition="evidence_broken" if reason != "changed" else "evidence_changed",
        from_state=claim.state,
        to_state=claim.state,
        details={"evidence": evidence.pk, "url": evidence.url, "reason": reason},
    )
    if claim.state == Claim.State.PUBLISHED:
        evidence_broken.send(
            sender=Evidence,
            evidence=evidence,
            claim=claim,
            reason=reason,
            message=message.strip()[:500],
        )


def _schedule_archive(evidence: Evidence) -> None:
    if not settings.ARCHIVE_ENABLED or evidence.archive_url:
        return
    from .tasks import queue_archive

    queue_archive(evidence.pk)  # recorded in this transaction, sent after commit


# --- What changed -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TextChange:
    cited_at: datetime
    fetched_at: datetime
    diff: str  # unified diff, one sentence or paragraph per line
    added: int
    removed: int


def _lines(text: str) -> list[str]:
    lines = []
    for paragraph in text.splitlines():
        lines += [s for s in re.split(r"(?<=[.!?])\s+(?=\S)", paragraph.strip()) if s]
    return lines


def evidence_text_changes(*, evidence_id: int) -> TextChange | None:
    """How the page's text differs now from the version that was cited; None if it does not."""
    snapshots = EvidenceSnapshot.objects.filter(evidence_id=evidence_id)
    cited = snapshots.order_by("fetched_at", "pk").first()
    latest = snapshots.order_by("-fetched_at", "-pk").first()
    if cited is None or latest is None or cited.text_sha256 == latest.text_sha256:
        return None
    cited_on = format_date(cited.fetched_at)
    fetched_on = format_date(latest.fetched_at)
    diff = list(
        difflib.unified_diff(
            _lines(cited.text),
            _lines(latest.text),
            fromfile=f"as cited ({cited_on})",
            tofile=f"as fetched on {fetched_on}",
            lineterm="",
            n=1,
        )
    )
    body = [line for line in diff if not line.startswith(("---", "+++", "@@"))]
    return TextChange(
        cited_at=cited.fetched_at,
        fetched_at=latest.fetched_at,
        diff="\n".join(diff),
        added=sum(1 for line in body if line.startswith("+")),
        removed=sum(1 for line in body if line.startswith("-")),
    )


# --- The periodic recheck ---------------------------------------------------------------------


def evidence_due_for_recheck(*, limit: int | None = None, now: datetime | None = None) -> list[int]:
    """Ids of evidence whose link is due a check: never checked, or not for a while.

    Evidence behind published fact-checks comes first, then the longest unchecked.
    """
    now = now or timezone.now()
    limit = settings.EVIDENCE_RECHECK_BATCH if limit is None else limit
    stale = now - timedelta(hours=settings.EVIDENCE_RECHECK_HOURS)
    due = (
        Evidence.objects.filter(Q(checked_at__isnull=True) | Q(checked_at__lt=stale))
        .annotate(
            published_first=Case(
                When(claim__state=Claim.State.PUBLISHED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("published_first", F("checked_at").asc(nulls_first=True), "pk")
    )
    return list(due.values_list("pk", flat=True)[:limit])


# --- Archive ----------------------------------------------------------------------------------


def evidence_archive(*, evidence_id: int) -> str:
    """Ask the web archive to save the evidence page; store and return the archived address.

    Does nothing when archiving is off or the page is already archived. A failure the archive
    may get over (busy, down, slow) raises archive.ArchiveUnavailable, after the reason is
    recorded, so that the task can try again later.
    """
    if not settings.ARCHIVE_ENABLED:
        return ""
    evidence = Evidence.objects.filter(pk=evidence_id).only("url", "archive_url").first()
    if evidence is None:
        return ""
    if evidence.archive_url:
        return evidence.archive_url
    try:
        archived = archive.save_page(evidence.url)
    except archive.ArchiveError as exc:
        Evidence.objects.filter(pk=evidence_id, archive_url="").update(
            archive_detail=exc.message[:500]
        )
        raise
    Evidence.objects.filter(pk=evidence_id, archive_url="").update(
        archive_url=archived[:2000], archived_at=timezone.now(), archive_detail=""
    )
    return Evidence.objects.values_list("archive_url", flat=True).get(pk=evidence_id)
