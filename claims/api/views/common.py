from __future__ import annotations

from django.http import Http404


def int_or_404(value) -> int:
    """A path id as a positive 64-bit integer; anything else is simply not found."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < number < 2**63:
        raise Http404
    return number
