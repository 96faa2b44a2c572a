"""Reads about evidence for the claim page, the approval queue, the dashboard and the exports.

Everything here that takes one Evidence reads only its own fields (no queries), so a list of
evidence costs what loading it costs; the *_for(claim_ids) selectors are one query each.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format

from claims.models import Evidence

LinkStatus = Evidence.LinkStatus
QuoteStatus = Evidence.QuoteStatus


def format_date(moment: datetime | None) -> str:
    """'5 March 2026', in the site's time zone."""
    if moment is None:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "j F Y")


def quote_sentence(evidence: Evidence) -> str:
    """What the claim page says about the quoted excerpt; "" when there is none."""
    if not evidence.excerpt.strip():
        return ""
    if evidence.quote_status == QuoteStatus.FOUND:
        return "quote found"
    if evidence.quote_status == QuoteStatus.NOT_FOUND:
        when = format_date(evidence.quote_checked_at or evidence.checked_at)
        return f"quote not found in the source as fetched on {when}"
    if evidence.checked_at is not None:
        return "quote not checked: no text could be read from the source"
    return "quote not checked yet"


def change_sentence(evidence: Evidence) -> str:
    """'changed since it was cited on <date>' when the page's text changed; "" otherwise."""
    if not evidence.changed_since_cited:
        return ""
    return f"changed since it was cited on {format_date(evidence.created_at)}"


def link_sentence(evidence: Evidence) -> str:
    """The link's state in a few words: 'Gone (404), checked 5 March 2026'."""
    label = evidence.get_link_status_display()
    if evidence.link_status == LinkStatus.UNCHECKED:
        return label
    code = f" ({evidence.http_status})" if evidence.http_status else ""
    return f"{label}{code}, checked {format_date(evidence.checked_at)}"


def needs_attention(evidence: Evidence) -> bool:
    """The link is broken or the page changed since it was cited."""
    return evidence.link_status in {LinkStatus.GONE, LinkStatus.ERROR} or bool(
        evidence.changed_since_cited
    )


def problem_sentence(evidence: Evidence) -> str:
    """What a reader of the claim page should know about this source; "" if all is well."""
    name = evidence.title or evidence.page_title or evidence.url
    if evidence.link_status == LinkStatus.GONE:
        return f"The source “{name}” is gone ({link_sentence(evidence)})."
    if evidence.link_status == LinkStatus.ERROR:
        return f"The source “{name}” could not be reached ({link_sentence(evidence)})."
    if evidence.changed_since_cited:
        return f"The source “{name}” {change_sentence(evidence)}."
    return ""


def evidence_summary(evidence: Evidence) -> dict:
    """One piece of evidence as plain data (JSON-ready) for pages, CSV, PDF and JSON exports."""
    return {
        "id": evidence.pk,
        "url": evidence.url,
        "title": evidence.title or evidence.page_title or evidence.url,
        "publisher": evidence.publisher,
        "stance": evidence.stance,
        "stance_label": evidence.get_stance_display(),
        "link_status": evidence.link_status,
        "link_status_label": evidence.get_link_status_display(),
        "link_sentence": link_sentence(evidence),
        "link_detail": evidence.link_detail,
        "http_status": evidence.http_status,
        "final_url": evidence.final_url,
        "archive_url": evidence.archive_url,
        "excerpt": evidence.excerpt,
        "quote_status": evidence.quote_status,
        "quote_sentence": quote_sentence(evidence),
        "changed_since_cited": evidence.changed_since_cited,
        "change_sentence": change_sentence(evidence),
        "needs_attention": needs_attention(evidence),
        "checked_at": evidence.checked_at.isoformat() if evidence.checked_at else None,
        "added_at": evidence.created_at.isoformat() if evidence.created_at else None,
    }
