"""Presentation helpers for the dashboard: state badges, deadlines, the highlighted claim.

Everything that comes from an article or a person is escaped here (format_html / escape);
nothing from outside is ever marked safe as it is.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from claims import permissions
from claims.models import Claim, Evidence

register = template.Library()

STATE_LABELS = dict(Claim.State.choices)
# A claim counts as "due soon" inside this window (UX: overdue and due-soon are marked).
DUE_SOON = timedelta(hours=6)
# Sentences of article text shown on each side of the claim on the claim page.
CONTEXT_SENTENCES = 2
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"”’)]?\s+|\n+")


@register.simple_tag
def state_badge(state: str) -> SafeString:
    """One colour and one word per state, the same on every page (the word is always there)."""
    label = STATE_LABELS.get(state, state)
    return format_html('<span class="state state-{}">{}</span>', state, label)


def truncate_chars(text, length: int) -> str:
    """`Truncator(text).chars(length)` (the `truncatechars` filter on a plain string): a text
    no longer than `length` (after the same NFC normalisation, combining characters not
    counted) is returned as it is without Truncator's per-call translation lookup; a longer
    one goes to Truncator."""
    text = unicodedata.normalize("NFC", str(text))
    if len(text) <= length:
        return text
    return Truncator(text).chars(length)


def _amount(delta: timedelta) -> str:
    seconds = abs(delta.total_seconds())
    if seconds < 3600:
        minutes = max(1, round(seconds / 60))
        return f"{minutes} min"
    if seconds < 23.5 * 3600:
        hours = round(seconds / 3600)
        return f"{hours} h"
    days = round(seconds / 86400)
    return f"{days} day" if days == 1 else f"{days} days"


def deadline_words(due_at: datetime | None, now: datetime | None = None) -> tuple[str, str]:
    """("due in 3 h" | "overdue by 1 day", css class)."""
    if due_at is None:
        return "no deadline", "due-none"
    now = now or timezone.now()
    delta = due_at - now
    if delta.total_seconds() < 0:
        return f"overdue by {_amount(delta)}", "due-overdue"
    css = "due-soon" if delta <= DUE_SOON else "due-later"
    return f"due in {_amount(delta)}", css


@register.simple_tag
def deadline(due_at: datetime | None, state: str = "") -> SafeString:
    """A deadline in words with the exact time on hover; only working claims are overdue."""
    if due_at is None:
        return format_html('<span class="due due-none">{}</span>', "—")
    exact = timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M %Z")
    words, css = deadline_words(due_at)
    if state and state not in Claim.WORKING_STATES:
        css = "due-later"
        words = f"was due {exact}" if words.startswith("overdue") else words
    return format_html(
        '<time class="due {}" datetime="{}" title="{}">{}</time>',
        css,
        due_at.isoformat(),
        exact,
        words,
    )


@register.simple_tag
def when(moment: datetime | None) -> SafeString:
    """A past time as "3 h ago" with the exact time on hover."""
    if moment is None:
        return mark_safe("—")  # noqa: S308 (a constant)
    exact = timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")
    delta = timezone.now() - moment
    words = "just now" if delta.total_seconds() < 60 else f"{_amount(delta)} ago"
    return format_html('<time datetime="{}" title="{}">{}</time>', moment.isoformat(), exact, words)


def _offsets_ok(body: str, start: int, end: int) -> bool:
    return 0 <= start <= end <= len(body)


def _context_start(body: str, start: int, sentences: int) -> int:
    # Breaks that end where the claim starts are the claim's own boundary, not a sentence.
    breaks = [m.end() for m in _SENTENCE_BREAK.finditer(body, 0, start) if m.end() < start]
    if len(breaks) < sentences:
        return 0
    return breaks[-sentences]


def _context_end(body: str, end: int, sentences: int) -> int:
    found = 0
    for match in _SENTENCE_BREAK.finditer(body, end):
        if match.start() == end:
            continue  # the break right after the claim itself
        found += 1
        if found == sentences:
            return match.start()
    return len(body)


def highlight(
    body: str, start: int, end: int, *, sentences: int | None = None, mark_id: str = ""
) -> SafeString:
    """The article text with the claim in <mark>: the three parts are escaped separately.

    With `sentences`, only that many sentences either side are shown, with ellipses.
    """
    body = body or ""
    if not _offsets_ok(body, start, end):
        return format_html("{}", body)
    first, last = 0, len(body)
    if sentences is not None:
        first = _context_start(body, start, sentences)
        last = _context_end(body, end, sentences)
    return format_html(
        '{}{}<mark class="claim-highlight"{}>{}</mark>{}{}',
        "… " if first > 0 else "",
        body[first:start],
        format_html(' id="{}"', mark_id) if mark_id else "",
        body[start:end],
        body[end:last],
        " …" if last < len(body) else "",
    )


@register.simple_tag
def claim_in_context(claim: Claim) -> SafeString:
    """A few sentences around the claim, the claim highlighted; its own text if offsets are off."""
    body = claim.article.body
    if _offsets_ok(body, claim.start_offset, claim.end_offset) and claim.end_offset > 0:
        return highlight(
            body,
            claim.start_offset,
            claim.end_offset,
            sentences=CONTEXT_SENTENCES,
            mark_id="claim-in-text",
        )
    return format_html('<mark class="claim-highlight">{}</mark>', claim.text)


@register.simple_tag
def claim_in_article(claim: Claim) -> SafeString:
    body = claim.article.body
    if _offsets_ok(body, claim.start_offset, claim.end_offset) and claim.end_offset > 0:
        return highlight(body, claim.start_offset, claim.end_offset)
    return format_html("{}", body)


@register.filter
def http_url(url: str) -> str:
    """Only http(s) addresses become links; anything else gives an empty href."""
    try:
        scheme = urlsplit(url or "").scheme.lower()
    except ValueError:
        return ""
    return url if scheme in {"http", "https"} else ""


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{round(float(value) * 100)}%"


@register.simple_tag
def stance_badge(stance: str) -> SafeString:
    label = dict(Evidence.Stance.choices).get(stance, stance)
    return format_html('<span class="stance stance-{}">{}</span>', stance, label)


EVENT_WORDS = {
    "file": "filed by extraction",
    "promote": "promoted to open",
    "dismiss": "dismissed",
    "restore": "restored to candidate",
    "assign": "assigned",
    "reassign": "reassigned",
    "unassign": "unassigned",
    "expire": "expired (deadline passed)",
    "decline": "declined",
    "start": "work started",
    "save_draft": "draft verdict saved",
    "submit": "verdict submitted",
    "return": "verdict returned",
    "approve": "verdict approved",
    "approve_vote": "approval vote",
    "publish": "published",
    "set_priority": "priority changed",
    "set_topics": "topics changed",
    "add_evidence": "evidence added",
}


@register.simple_tag
def event_summary(event) -> SafeString:
    """One line per audit event: what happened, and the details that matter to a person."""
    details = event.details or {}
    what = EVENT_WORDS.get(event.transition, event.transition.replace("_", " "))
    parts: list[str] = []
    if details.get("assignee"):
        parts.append(f"to {details['assignee']}")
    if details.get("from") and event.transition in {"reassign", "unassign", "expire", "decline"}:
        parts.append(f"from {details['from']}")
    if event.transition == "set_priority":
        parts = [f"{details.get('from', '')} → {details.get('to', '')}"]
    if event.transition == "set_topics":
        parts = [", ".join(details.get("topics") or []) or "none"]
    if details.get("reason"):
        reason = dict(Claim.DismissReason.choices).get(details["reason"], details["reason"])
        parts.append(f"reason: {reason}")
    if details.get("rating"):
        parts.append(f"rating: {details['rating']}")
    if details.get("note"):
        parts.append(f"note: {details['note']}")
    if details.get("url"):
        parts.append(str(details["url"]))
    if event.transition == "approve_vote":
        parts.append(f"{details.get('approvals')} of {details.get('required')} approvals")
    text = what + (" — " + "; ".join(str(p) for p in parts) if parts else "")
    return format_html("{}", text)


@register.simple_tag
def actor_name(user) -> str:
    return user.get_username() if user is not None else "the scheduler"


@register.simple_tag(takes_context=True)
def sort_link(context, field: str, label: str) -> SafeString:
    """A column header that sorts by `field` and flips on a second click; filters are kept."""
    request = context["request"]
    current = request.GET.get("ordering", "")
    descending = current == field
    new = f"-{field}" if descending else field
    query = request.GET.copy()
    query["ordering"] = new
    query.pop("page", None)
    arrow, sort = "", "none"
    if current == field:
        arrow, sort = " ▲", "ascending"
    elif current == f"-{field}":
        arrow, sort = " ▼", "descending"
    return format_html(
        '<a href="?{}" data-sort="{}" aria-label="Sort by {}">{}{}</a>',
        query.urlencode(),
        sort,
        label.lower(),
        label,
        arrow,
    )


@register.simple_tag
def role_can(user, what: str) -> bool:
    checks = {
        "ingest": permissions.can_ingest,
        "approve": permissions.is_editor,
        "assign": permissions.can_assign,
        "triage": permissions.can_triage,
        "export": permissions.can_export,
        "view": permissions.can_view_claims,
        "publish": permissions.can_publish,
    }
    return checks[what](user)


@register.simple_tag(takes_context=True)
def approvals_waiting(context) -> int:
    """How many verdicts wait for an editor (editors only): the header's count, read with the
    unread notification count in one query (reviewers.context_processors), or one query of its
    own where no context processor ran."""
    user = context.get("user")
    if not permissions.is_editor(user):
        return 0
    counts = context.get("header_counts")
    if counts is not None:
        return counts["waiting"]
    from claims import selectors

    return selectors.approvals_waiting_count()


# --- Evidence: what the link check and the quote check found (claims.evidence.selectors) ---


@register.filter
def evidence_link(evidence) -> str:
    from claims.evidence.selectors import link_sentence

    return link_sentence(evidence)


@register.filter
def evidence_quote(evidence) -> str:
    from claims.evidence.selectors import quote_sentence

    return quote_sentence(evidence)


@register.simple_tag
def evidence_diff(evidence) -> SafeString | str:
    """What changed on a cited page since it was cited: the diff, folded; "" when unchanged.
    Queries only for evidence already flagged as changed."""
    if not evidence.changed_since_cited:
        return ""
    from claims.evidence.services import evidence_text_changes

    change = evidence_text_changes(evidence_id=evidence.pk)
    if change is None:
        return ""
    return format_html(
        '<details class="evidence-diff"><summary>What changed: {} added, {} removed</summary>'
        "<pre>{}</pre></details>",
        change.added,
        change.removed,
        change.diff,
    )


@register.filter
def evidence_problem(evidence) -> str:
    """What broke, with the reason the link check recorded ("could not be reached" alone
    hides it): 'The source “X” could not be reached (checked 5 March 2026): <reason>'."""
    from claims.evidence.selectors import format_date, problem_sentence

    Status = type(evidence).LinkStatus
    detail = (evidence.link_detail or "").strip()
    if evidence.link_status not in {Status.GONE, Status.ERROR} or not detail:
        return problem_sentence(evidence)
    name = evidence.title or evidence.page_title or evidence.url
    what = "is gone" if evidence.link_status == Status.GONE else "could not be reached"
    facts = [f"HTTP {evidence.http_status}"] if evidence.http_status else []
    if evidence.checked_at:
        facts.append(f"checked {format_date(evidence.checked_at)}")
    when = f" ({', '.join(facts)})" if facts else ""
    return f"The source “{name}” {what}{when}: {detail}"


# --- Who wrote a verdict and who decided on it ----------------------------------------------


@register.simple_tag
def verdict_byline(verdict) -> str:
    """'Written by checker1 · approved by editor' (never 'Approved by <the author>')."""
    if verdict is None:
        return ""

    def name(user) -> str:
        return user.get_username() if user else "someone"

    written = f"Written by {name(verdict.author)}"
    state = verdict.state
    if state in {"approved", "returned"}:
        decision = "approve" if state == "approved" else "return"
        deciders = [v.editor for v in verdict.votes.all() if v.decision == decision]
        if not deciders and verdict.decided_by_id:
            deciders = [verdict.decided_by]
        names = ", ".join(dict.fromkeys(name(u) for u in deciders))
        verb = "approved" if state == "approved" else "returned"
        return f"{written} · {verb} by {names}" if names else f"{written} · {verb}"
    if state == "submitted":
        return f"Written by {name(verdict.author)} · waiting for an editor"
    return f"Draft by {name(verdict.author)}"
