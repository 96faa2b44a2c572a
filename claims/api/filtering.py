"""The list endpoints' filter backend: django-filter, strict about the query values the schema
types, so that what the schema calls invalid is refused with a 400 rather than quietly ignored.

- `page_size` is a whole number from 1 to the page's maximum (200);
- boolean filters take true/false (or 1/0);
- id filters (claim, article) take a positive whole number.
"""

from __future__ import annotations

import django_filters
from django.template import loader
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

MAX_PAGE_SIZE = 200
BOOLEAN_VALUES = {"true", "false", "True", "False", "1", "0"}


def _refuse(name: str, message: str) -> None:
    raise ValidationError({name: [message]})


def check_page_size(request) -> None:
    raw = request.query_params.get("page_size")
    if raw is None:
        return
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        _refuse("page_size", f"Give a whole number of rows per page, from 1 to {MAX_PAGE_SIZE}.")


MAX_ID = 2**63 - 1


def _is_id(raw: str) -> bool:
    return raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_ID


def check_filter_json(filterset_class, name: str, value) -> None:
    """One value of a JSON filter (an export's `filters`), typed as the schema says: booleans for
    yes/no filters, ids for id filters, text for the rest."""
    field = filterset_class.base_filters[name]
    if isinstance(field, django_filters.BooleanFilter):
        ok = isinstance(value, bool)
        expected = "true or false"
    elif name in ID_FILTERS:
        ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID
        expected = "an id (a whole number from 1)"
    else:
        ok = isinstance(value, str)
        expected = "text"
    if not ok:
        raise ValidationError(f"Filter '{name}' takes {expected}, or a list of them.")


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        check_page_size(request)
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            for name, field in filterset_class.base_filters.items():
                for raw in request.query_params.getlist(name):
                    if isinstance(field, django_filters.BooleanFilter):
                        if raw not in BOOLEAN_VALUES:
                            _refuse(name, "Give true or false.")
                    elif name in ID_FILTERS and not _is_id(raw):
                        _refuse(name, "Give an id: a whole number from 1.")
        return super().filter_queryset(request, queryset, view)

    def to_html(self, request, queryset, view):
        """The browsable API's filter form: every filter, also with a filterset that builds only
        the filters a query names (`builds_named_filters_only`) to answer it."""
        filterset_class = self.get_filterset_class(view, queryset)
        if not getattr(filterset_class, "builds_named_filters_only", False):
            return super().to_html(request, queryset, view)
        kwargs = self.get_filterset_kwargs(request, queryset, view)
        filterset = filterset_class(**kwargs, every_filter=True)
        return loader.get_template(self.template).render({"filter": filterset}, request)


# Number filters that name an object by its id (the schema types them as integers from 1).
ID_FILTERS = {"claim", "article"}
