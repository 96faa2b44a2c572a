"""Reads shared by pages and endpoints, with their joins, so a list costs the same few queries."""

from django.db.models import Count, Q

from .models import Article, Claim


def claims_base():
    return Claim.objects.select_related("article", "assignee").prefetch_related("topics")


def queue_for(user, limit: int = 100):
    """A fact-checker's claims, most pressing deadline first."""
    return (
        claims_base()
        .filter(assignee=user, state__in=["assigned", "in_review", "submitted"])
        .order_by("due_at", "pk")[:limit]
    )


def recent_articles(limit: int = 20):
    return Article.objects.annotate(
        claim_count=Count("claims"), open_count=Count("claims", filter=Q(claims__state="open"))
    ).order_by("-created_at")[:limit]
