"""The editors' overview: what needs an editor now, on one page, at a constant number of queries.

Sections: submitted verdicts waiting for a decision, open claims nobody can take (and why: the
reviewers app's template tag asks its policy), overdue work, broken or changed sources behind
published fact-checks, and the newest articles. Each section shows its total and the first few
rows, most pressing first. The totals (but the stuck claims') and the header's figures are one
query (claims.selectors.overview says how each section's rows are found).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone

from claims import permissions
from claims.selectors import overview as sections

from .common import page_lookups, requires

SHOWN = 8  # rows per section; the total is always said
NEW_ARTICLES_HOURS = 48


@dataclass(frozen=True)
class Section:
    rows: list
    total: int


@requires(permissions.can_triage, "The overview is the editors' page: it shows the desk's work.")
def overview(request):
    now = timezone.now()
    since = now - timedelta(hours=NEW_ARTICLES_HOURS)
    _, totals = page_lookups(request, figures=sections.overview_totals_sql(now, since))
    rows = sections.section_rows(now, since, SHOWN)
    return render(
        request,
        "claims/overview.html",
        {
            **{name: Section(rows[name], totals[name]) for name in rows},
            "new_hours": NEW_ARTICLES_HOURS,
            "shown": SHOWN,
        },
    )
