"""Template helpers for the check-worthiness bands (claims/extraction/pipeline.py)."""

from django import template

register = template.Library()


@register.simple_tag
def triage_low(claims) -> list:
    """The sentences below the candidate threshold: kept and searchable, shown collapsed."""
    return [c for c in claims if getattr(c, "triage_band", "") == "low"]
