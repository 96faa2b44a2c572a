"""The editors' overview: what needs an editor now, on one page, at a constant number of queries.

Sections: submitted verdicts waiting for a decision, open claims nobody can take (and why: the
reviewers app's template tag asks its policy), overdue work, broken or changed sources behind
published fact-checks, and the newest articles. Each section shows its total and the first few
rows, most pressing first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from claims import permissions, selectors
from claims.models import Article, Claim, Evidence

from .common import requires

SHOWN = 8  # rows per section; the total is always said
NEW_ARTICLES_HOURS = 48


@dataclass(frozen=True)
class Section:
    rows: list
    total: int


def _section(queryset, limit: int = SHOWN) -> Section:
    # One query for the rows (plus their prefetches) and one for the total.
    return Section(rows=list(queryset[:limit]), total=queryset.order_by().count())


def waiting_verdicts() -> Section:
    return _section(selectors.approvals_queue())


def overdue_work(now) -> Section:
    return _section(
        Claim.objects.filter(state__in=Claim.WORKING_STATES, due_at__lt=now, assignee__isnull=False)
        .select_related("article", "assignee")
        .order_by("due_at", "pk")
    )


def failing_published_sources() -> Section:
    broken = Q(link_status__in=[Evidence.LinkStatus.GONE, Evidence.LinkStatus.ERROR]) | Q(
        changed_since_cited=True
    )
    return _section(
        Evidence.objects.filter(broken, claim__state=Claim.State.PUBLISHED)
        .select_related("claim")
        .order_by("-checked_at", "pk")
    )


def new_articles(now) -> Section:
    return _section(
        Article.objects.filter(created_at__gte=now - timedelta(hours=NEW_ARTICLES_HOURS))
        .select_related("submitted_by")
        .annotate(
            claim_count=Count("claims"),
            open_count=Count("claims", filter=Q(claims__state=Claim.State.OPEN)),
            candidate_count=Count("claims", filter=Q(claims__state=Claim.State.CANDIDATE)),
        )
        .order_by("-created_at", "-pk")
    )


@requires(permissions.can_triage, "The overview is the editors' page: it shows the desk's work.")
def overview(request):
    now = timezone.now()
    return render(
        request,
        "claims/overview.html",
        {
            "waiting": waiting_verdicts(),
            "overdue": overdue_work(now),
            "failing": failing_published_sources(),
            "articles": new_articles(now),
            "new_hours": NEW_ARTICLES_HOURS,
            "shown": SHOWN,
        },
    )
