"""Template helpers for deadlines and why a claim has no reviewer yet.

{% load reviewers %}
{% due claim.due_at %}           -> <time class="due overdue" ...>overdue by 1 day</time>
{% why_unassigned claim %}       -> why nobody has an open claim yet, reviewer by reviewer
"""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil

from .. import policy, selectors

register = template.Library()


def due_label(due_at, now=None) -> tuple[str, bool]:
    now = now or timezone.now()
    if due_at < now:
        return f"overdue by {timesince(due_at, now, depth=1)}", True
    return f"due in {timeuntil(due_at, now, depth=1)}", False


@register.simple_tag
def due(due_at, done: bool = False):
    """A deadline as people read it, the exact time on hover; overdue work stands out (in words
    and colour). `done`: the work is finished, so the deadline is shown plainly."""
    if not due_at:
        return "—"
    label, overdue = due_label(due_at)
    exact = timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M %Z")
    if done:
        return format_html(
            '<time datetime="{}" title="{}">{}</time>', due_at.isoformat(), exact, exact
        )
    return format_html(
        '<time class="due{}" datetime="{}" title="{}">{}</time>',
        " overdue" if overdue else "",
        due_at.isoformat(),
        exact,
        label,
    )


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
