"""The claim filters, shared by the dashboard's claims list, the API and the exports."""

from __future__ import annotations

import django_filters
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Claim, Rating, Topic


def full_text_search(queryset: QuerySet, value: str) -> QuerySet:
    """PostgreSQL full-text search on PostgreSQL; a plain case-insensitive match elsewhere."""
    value = (value or "").strip()
    if not value:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("text", "claimant", "article__title", config="english")
        query = SearchQuery(value, search_type="websearch", config="english")
        return queryset.annotate(_search=vector).filter(
            Q(_search=query) | Q(claimant__icontains=value)
        )
    terms = value.split()
    for term in terms:
        queryset = queryset.filter(
            Q(text__icontains=term)
            | Q(claimant__icontains=term)
            | Q(article__title__icontains=term)
        )
    return queryset


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search")
    state = django_filters.MultipleChoiceFilter(choices=Claim.State.choices)
    rating = django_filters.ModelMultipleChoiceFilter(
        field_name="verdicts__rating__slug",
        to_field_name="slug",
        queryset=Rating.objects.filter(active=True),
        method="filter_rating",
        label="Rating",
    )
    topic = django_filters.ModelMultipleChoiceFilter(
        field_name="topics__slug",
        to_field_name="slug",
        queryset=Topic.objects.all(),
        label="Topic",
    )
    article = django_filters.NumberFilter(field_name="article_id", label="Article id")
    publisher = django_filters.CharFilter(
        field_name="article__publisher", lookup_expr="iexact", label="Publisher"
    )
    reviewer = django_filters.CharFilter(field_name="assignee__username", label="Reviewer")
    claimant = django_filters.CharFilter(field_name="claimant", lookup_expr="icontains")
    priority = django_filters.MultipleChoiceFilter(choices=Claim.Priority.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Overdue")
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label="Filed on or after"
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label="Filed on or before"
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("created_at", "created"),
            ("due_at", "due"),
            ("score", "score"),
            ("priority", "priority"),
            ("state", "state"),
            ("id", "id"),
        ),
    )

    class Meta:
        model = Claim
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return full_text_search(queryset, value)

    def filter_rating(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            verdicts__is_current=True, verdicts__rating__in=list(value)
        ).distinct()

    def filter_overdue(self, queryset, name, value):
        overdue = Q(due_at__lt=timezone.now(), state__in=Claim.WORKING_STATES)
        if value is True:
            return queryset.filter(overdue)
        if value is False:
            return queryset.exclude(overdue)
        return queryset

    @property
    def qs(self):
        queryset = super().qs
        # Multi-valued joins (topics) can repeat rows.
        if self.is_bound and self.form.cleaned_data.get("topic"):
            queryset = queryset.distinct()
        return queryset
