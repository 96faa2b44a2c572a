"""Template helpers: why a claim has no reviewer yet; the workload page's table rows.

(Deadlines are rendered by claims_ui's `deadline` tag, the one deadline renderer.)

{% load reviewers %}
{% why_unassigned claim %}       -> why nobody has an open claim yet, reviewer by reviewer
{% workload_rows rows due_soon_hours %}, {% overdue_rows overdue %}, {% waiting_rows waiting %}
                                 -> the workload page's rows (see below)
"""

from html import escape

from django import template
from django.template.defaultfilters import date, urlencode
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.translation import get_language

from claims.templatetags.claims_ui import deadline, truncate_chars

from .. import policy, selectors

register = template.Library()


@register.simple_tag
def why_unassigned(claim) -> str:
    """Why an open claim has no reviewer yet, reviewer by reviewer (escaped text)."""
    if claim.assignee_id is not None or claim.state != "open":
        return ""
    return policy.why_unassigned(claim)


@register.filter
def duration(value) -> str:
    """A timedelta as people say it: "3 h 20 min", "2 days 4 h", "45 s"."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


@register.simple_tag
def stuck_claims(limit: int = 8) -> dict:
    """For the editors' overview (a claims page, which does not import this app): open claims
    nobody could take, with why and their total."""
    return selectors.stuck_claims(limit=limit)


# --- The workload page's rows ---------------------------------------------------------------
# Each row is one f-string, every value through `escape` (what autoescaping does to a plain
# string, &#x27; included) and the filters the template used, called as functions: the same
# HTML as the template's loops (held equal in tests/reviewers/test_workload_page.py) at a
# fraction of their cost. Each tag writes a loop's whole output, the whitespace between rows
# included.

_ID = 2_147_483_647  # an id no row has: reversed once, then replaced by each row's


def _url_pattern(name: str) -> tuple[str, str]:
    return tuple(reverse(name, args=[_ID]).split(str(_ID), 1))


def _status(p) -> str:
    if not p.user.is_active:
        return "inactive"
    if not p.available:
        return "unavailable"
    if p.away_until:
        return f"away until {escape(date(p.away_until, 'Y-m-d'))}"
    return "full" if p.open_count >= p.capacity else "available"


@register.simple_tag
def workload_rows(rows, due_soon_hours) -> SafeString:
    """The reviewers' rows of the workload table: name, topics, figures, status, edit link."""
    if not rows:
        return mark_safe(
            '\n  <tr><td colspan="10" class="empty">No reviewer profiles yet. Add '
            "fact-checkers in the admin, then set their topics, languages and capacity here."
            "</td></tr>\n  "
        )
    before, after = _url_pattern("reviewers:profile_edit")
    soon = escape(str(due_soon_hours))
    out = []
    for p in rows:
        username, full_name = escape(p.user.get_username()), p.user.get_full_name()
        named = f' <span class="why">({escape(full_name)})</span>' if full_name else ""
        topics = ", ".join(escape(t.name) for t in p.topics.all()) or "—"
        late = p.overdue_count
        row_class, alert, late_word = ("", "", "")
        if late:
            row_class, alert, late_word = ' class="overdue"', " alert", " overdue"
        out.append(
            f"\n  <tr{row_class}>\n"
            f"    <td>{username}{named}</td>\n"
            f'    <td data-label="Topics">{topics}</td>\n'
            f'    <td data-label="Languages">{escape(p.languages)}</td>\n'
            f'    <td class="num" data-label="Open">{p.open_count}</td>\n'
            f'    <td class="num" data-label="Capacity">{p.capacity}</td>\n'
            f'    <td class="num" data-label="Due in {soon} h">{p.due_soon_count}</td>\n'
            f'    <td class="num{alert}" data-label="Overdue">{late}{late_word}</td>\n'
            f'    <td class="num" data-label="Done this week">{p.done_week_count}</td>\n'
            f'    <td data-label="Status">{_status(p)}</td>\n'
            f'    <td><a href="{before}{p.pk}{after}">Edit<span class="visually-hidden"> '
            f"{username}</span></a></td>\n"
            "  </tr>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


@register.simple_tag(takes_context=True)
def overdue_rows(context, overdue) -> SafeString:
    """The overdue assignments' rows: claim, reviewer, deadline, a link to reassign."""
    before, after = _url_pattern("reviewers:claim_assign")
    back = escape(urlencode(context["request"].path))
    out = []
    for a in overdue:
        out.append(
            f'\n  <tr class="overdue"><td>{escape(truncate_chars(a.claim.text, 100))}</td>'
            f'<td data-label="Reviewer">{escape(a.reviewer.get_username())}</td>\n'
            f'    <td class="due-cell" data-label="Deadline">{deadline(a.due_at)}</td>\n'
            f'    <td><a href="{before}{a.claim_id}{after}?next={back}">Reassign</a></td></tr>\n  '
        )
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


class _Said:
    """One of `timesince`'s TIME_STRINGS ("%(num)d days"), translated and formatted once per
    language and number instead of once a row (each is a gettext lookup of a lazy string)."""

    def __init__(self, words):
        self.words, self.said = words, {}

    def __mod__(self, values: dict) -> str:
        key = (get_language(), values["num"])
        text = self.said.get(key)
        if text is None:
            text = self.said[key] = str(self.words % values)
        return text


_SAID = {name: _Said(words) for name, words in TIME_STRINGS.items()}


def _waited(moment) -> str:
    """The `timesince` filter (Django's `timesince`, words kept per language and number)."""
    if not moment:
        return ""
    try:
        return timesince(moment, time_strings=_SAID)
    except (ValueError, TypeError):
        return ""


@register.simple_tag(takes_context=True)
def waiting_rows(context, waiting) -> SafeString:
    """The waiting claims' rows: claim, how long it waited, why nobody has it, a link."""
    before, after = _url_pattern("reviewers:claim_assign")
    back = escape(urlencode(context["request"].path))
    out = []
    for claim, why in waiting:
        out.append(
            f"\n  <tr><td>{escape(truncate_chars(claim.text, 100))}</td>"
            f'<td data-label="Waiting">{escape(_waited(claim.created_at))}</td>'
            f'<td class="why" data-label="Why nobody has it">{escape(why)}</td>\n'
            f'    <td><a href="{before}{claim.pk}{after}?next={back}">Assign</a></td></tr>\n  '
        )
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)
