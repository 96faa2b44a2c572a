"""Reports: four charts drawn on the server as SVG (no script, no CDN) and the export buttons."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import render

from claims import permissions, selectors
from claims.filters import ClaimFilter
from claims.models import Claim

from .common import filter_errors, requires, tidy_filter_form

EXPORT_FORMATS = [
    ("csv", "CSV"),
    ("json", "JSON"),
    ("claimreview", "ClaimReview JSON-LD"),
    ("pdf", "PDF report"),
]


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    css: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float


def horizontal_bars(rows: list[tuple[str, int, str]], *, width: int = 560, row: int = 30) -> dict:
    """rows: (label, value, css class). Labels left, bars right, the value at the bar's end."""
    label_w, value_w = 150, 48
    room = width - label_w - value_w
    top = max([v for _, v, _ in rows] + [1])
    bars = []
    for i, (label, value, css) in enumerate(rows):
        bar_w = room * value / top
        y = i * row + 4
        bars.append(
            Bar(
                label=label,
                value=value,
                css=css,
                x=label_w,
                y=y,
                width=round(bar_w, 1),
                height=row - 10,
                label_x=label_w - 8,
                label_y=y + (row - 10) / 2 + 5,
                value_x=round(label_w + bar_w + 6, 1),
                value_y=y + (row - 10) / 2 + 5,
            )
        )
    return {"bars": bars, "width": width, "height": len(rows) * row + 8}


def columns(rows: list[tuple[str, int]], *, width: int = 560, height: int = 220) -> dict:
    """rows: (label, value), one column each, labels below, values above."""
    bottom, top_pad = 40, 20
    room = height - bottom - top_pad
    top = max([v for _, v in rows] + [1])
    step = width / max(1, len(rows))
    bars = []
    for i, (label, value) in enumerate(rows):
        bar_h = room * value / top
        x = i * step + step * 0.15
        y = top_pad + room - bar_h
        bars.append(
            Bar(
                label=label,
                value=value,
                css="week",
                x=round(x, 1),
                y=round(y, 1),
                width=round(step * 0.7, 1),
                height=round(bar_h, 1),
                label_x=round(x + step * 0.35, 1),
                label_y=height - bottom + 16,
                value_x=round(x + step * 0.35, 1),
                value_y=round(y - 5, 1),
            )
        )
    return {"bars": bars, "width": width, "height": height, "baseline": top_pad + room}


def _duration(delta) -> str:
    if delta is None:
        return "—"
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


@requires(permissions.can_view_claims, "Only fact-checkers and editors can see reports.")
def reports(request):
    claim_filter = ClaimFilter(request.GET, queryset=Claim.objects.all())
    tidy_filter_form(claim_filter)
    figures = selectors.report_figures(claim_filter.qs)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    charts = {
        "by_rating": horizontal_bars(
            [(label, n, f"rating-{slug}") for slug, label, n in figures["by_rating"]]
        ),
        "by_state": horizontal_bars(
            [(label, n, f"state-{value}") for value, label, n in figures["by_state"]]
        ),
        "per_week": columns([(monday.strftime("%d %b"), n) for monday, n in figures["per_week"]]),
        "time_to_verdict": horizontal_bars(
            [(label, n, "duration") for label, n in figures["time_to_verdict"]]
        ),
    }
    return render(
        request,
        "claims/reports.html",
        {
            "filter": claim_filter,
            "filter_errors": filter_errors(claim_filter),
            "figures": figures,
            "charts": charts,
            "median": _duration(figures["median_time_to_verdict"]),
            "can_export": permissions.can_export(request.user),
            "export_formats": EXPORT_FORMATS,
            "export_query": query.urlencode(),
        },
    )
