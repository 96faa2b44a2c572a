"""The dashboard's site header (templates/_site_header.html), rendered once per distinct key.

The header is the same on every page a person opens, but rendering it (a dozen `{% url %}`,
role checks and comparisons of the path) costs about a millisecond, as much as a list page's
main query. Its HTML is kept per key: who is signed in (name, staff or not), what their roles
allow, the two counts, which part of the site the path is in and, on the claims list, the
search text; the logout form's CSRF token is put in on every request.
"""

from __future__ import annotations

import secrets

from django import template
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe

from claims.templatetags.claims_ui import approvals_waiting, role_can
from claims.views.common import cached_fragment

register = template.Library()

ROLES = ("view", "ingest", "approve", "assign", "triage")
# The paths the header marks as the current page (aria-current) or reads the search text on;
# any other path under /claims/ marks "Claims".
MARKED_PATHS = {"/", "/overview/", "/queue/", "/claims/", "/ingest/", "/approvals/", "/reports/"}
# Stands for the CSRF token in the kept HTML: random letters and digits (nothing the template
# escapes), new in each process, so that no name or search text can hold it.
TOKEN_MARK = f"csrf{secrets.token_hex(16)}"


def _where(path: str) -> str:
    if path in MARKED_PATHS:
        return path
    return "/claims/*" if path.startswith("/claims/") else ""


@register.simple_tag(takes_context=True)
def site_header(context) -> SafeString:
    request, user = context.get("request"), context.get("user")
    header = context.template.engine.get_template("_site_header.html")
    if request is None:  # rendered outside a request: as the template says, nothing kept
        return mark_safe(header.render(context))  # noqa: S308 (a template's output)
    signed_in = bool(user is not None and user.is_authenticated)
    key: tuple = ("site_header", signed_in)
    if signed_in:
        path = request.path
        key += (
            tuple(role_can(user, role) for role in ROLES),
            _where(path),
            request.GET.get("q") if path == "/claims/" else None,
            str(context.get("unread_notifications_count") or 0),
            approvals_waiting(context),
            user.get_username(),
            user.get_full_name(),
            bool(user.is_staff),
        )

    def render() -> str:
        with context.push(csrf_token=TOKEN_MARK):
            return header.render(context)

    html = cached_fragment(key, render)
    if signed_in:
        # The logout form's token: this request's, as {% csrf_token %} would write it (the
        # context's, where the csrf context processor gave one: masked once a page, not twice).
        token = context.get("csrf_token")
        token = get_token(request) if token is None or str(token) == "NOTPROVIDED" else token
        html = mark_safe(html.replace(TOKEN_MARK, str(token)))  # noqa: S308 (a token)
    return html
