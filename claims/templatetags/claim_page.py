"""`{% claim_page_content %}`: the claim page's content, written in Python
(claims/views/claim_html.py) with the page's own context: the same request, user and CSRF
token as the rest of the page."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from claims.views.claim_html import claim_content

register = template.Library()


@register.simple_tag(takes_context=True)
def claim_page_content(context) -> SafeString:
    return claim_content(context)
