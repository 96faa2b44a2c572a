"""Template helpers: why a claim has no reviewer yet.

(Deadlines are rendered by claims_ui's `deadline` tag, the one deadline renderer.)

{% load reviewers %}
{% why_unassigned claim %}       -> why nobody has an open claim yet, reviewer by reviewer
"""

from django import template

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
