"""What every dashboard view shares: refusals as pages, workflow errors as messages."""

from __future__ import annotations

import functools
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject, empty
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe

from claims import permissions
from claims.errors import WorkflowError
from claims.header import HEADER_FIGURES
from claims.models import Rating, Topic
from claims.selectors import fact_checkers
from factcheck.db import prepared_cursor

# Readers' pages (no login): cached like any public page.
PUBLIC_PREFIXES = ("/fact-checks/", "/static/")


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """A 403 page that says why, in words (never a bare error)."""
    return render(request, "403.html", {"reason": message}, status=403)


class DashboardPages:
    """What every dashboard page gets, whichever app's view made it.

    - A `PermissionDenied` raised by any view becomes the styled 403 page with its sentence,
      logged as one line (Django's own handler logs it with a traceback, as if it were a bug).
      (The API answers its own refusals before this sees them.)
    - Pages shown to a signed-in person are working pages: `Cache-Control: no-store`, so Back
      after an action fetches the page again instead of showing a stale, editable form from
      the back-forward cache. Public pages, files and API answers keep their own caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            isinstance(user, SimpleLazyObject)
            and user._wrapped is empty
            and hasattr(request, "session")
            and not request.path.startswith(PUBLIC_PREFIXES)
        ):
            # Not read yet: read it with its permissions, in one query (claims.permissions).
            request.user = SimpleLazyObject(lambda: permissions.session_user(request))
        response = self.get_response(request)
        # Cheap tests first: an API answer or a file never loads the session's user here.
        # An error page is never a working page, and while the database is down (503) loading
        # the session's user would raise again.
        if (
            response.status_code < 500
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith(PUBLIC_PREFIXES)
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            patch_cache_control(response, no_store=True, private=True)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DjangoPermissionDenied):
            return None
        # Django logs the 403 as one "Forbidden: <path>" line, like any refused page.
        return forbidden(request, str(exception) or "You are not allowed to open this page.")


def requires(check: Callable[[object], bool], message: str):
    """Login, then a permission from claims.permissions; refusal is a 403 page."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                return forbidden(request, message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go back to after an action: only this site's own paths."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def error_status(exc: WorkflowError) -> int:
    return int(getattr(exc, "http_status", 400) or 400)


def report_error(request: HttpRequest, exc: WorkflowError) -> None:
    messages.error(request, str(exc))


def summarise_bulk(
    request: HttpRequest, done: list[int], failed: list[tuple[int, str]], verb: str
) -> None:
    """One message for what worked, one line per claim that did not."""
    if done:
        noun = "claim" if len(done) == 1 else "claims"
        messages.success(request, f"{len(done)} {noun} {verb}.")
    for claim_id, reason in failed:
        messages.error(request, f"Claim {claim_id}: {reason}")
    if not done and not failed:
        messages.info(request, "Nothing was changed.")


def filter_errors(claim_filter) -> list[str]:
    out = []
    for name, errors in claim_filter.errors.items():
        label = claim_filter.form.fields[name].label if name in claim_filter.form.fields else name
        out.extend(f"{label or name}: {error}" for error in errors)
    return out


@functools.cache
def _fact_checkers_sql() -> tuple[str, tuple]:
    """`selectors.fact_checkers` as SQL, compiled once: who it names is read fresh by every
    query; how to find them does not change while the process runs."""
    return fact_checkers().values("pk", "username").query.sql_with_params()


def page_lookups(
    request: HttpRequest | None,
    *,
    choices: tuple[str, ...] = (),
    figures: dict[str, tuple[str, list]] | None = None,
    rows: dict[str, tuple[str, list]] | None = None,
) -> tuple[dict[str, list[tuple]], dict[str, int]]:
    """What a page reads besides its main rows, in one query: the choice lists named in
    `choices` (see `filter_choices`), the page's own `figures` (name -> (SQL of one number,
    parameters): a pager's count), its own `rows` (kind -> (SQL of rows of six columns: the
    kind, two texts, a text, two numbers, which order them; parameters)) and, with `request`,
    the header's figures (HEADER_FIGURES), kept on the request as `header_figures` for the
    header's context processor, which then asks no query of its own. Returns the choice lists
    (value, label) and the rows (their five columns after the kind) by kind, and the page's
    own figures."""
    header_parts, header = header_figures(request)
    figures = dict(figures or {})
    figures.update({f"header:{name}": part for name, part in header_parts.items()})
    parts, params = [], []
    if "rating" in choices:
        parts.append(
            f"SELECT 'rating', slug, label, scale, position, id FROM {Rating._meta.db_table} "  # noqa: S608 (table names)
            "WHERE active"
        )
    if "topic" in choices:
        parts.append(f"SELECT 'topic', slug, name, name, 0, id FROM {Topic._meta.db_table}")  # noqa: S608 (table names)
    if "user" in choices:
        people, people_params = _fact_checkers_sql()
        parts.append(
            "SELECT 'user', CAST(u.pk AS varchar), u.username, u.username, 0, u.pk FROM "  # noqa: S608 (selector's SQL)
            f"({people}) AS u"
        )
        params.extend(people_params)
    for sql, rows_params in (rows or {}).values():
        parts.append(sql)
        params.extend(rows_params)
    for name, (sql, figure_params) in figures.items():
        parts.append(f"SELECT 'figure', %s, CAST(({sql}) AS varchar), '', 0, 0")
        params.extend([name, *figure_params])
    kinds = ("rating", "topic", "user", *(rows or {}))
    found: dict[str, list[tuple]] = {kind: [] for kind in kinds}
    numbers: dict[str, int] = {}
    if parts:
        # Prepared: planning this union cost several times running it (0.5 ms against 0.1 ms
        # on the claims list); a page's shapes are few (factcheck/db.py).
        with prepared_cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 4, 5, 6", params)
            for kind, value, label, *order in cursor.fetchall():
                if kind == "figure":
                    numbers[value] = int(label or 0)
                elif rows and kind in rows:
                    found[kind].append((value, label, *order))
                else:
                    found[kind].append((value, label))
    for name in list(numbers):
        if name.startswith("header:"):
            header[name.removeprefix("header:")] = numbers.pop(name)
    keep_header_figures(request, header)
    return found, numbers


def header_figures(request: HttpRequest | None) -> tuple[dict[str, tuple[str, list]], dict]:
    """The header's figures (HEADER_FIGURES) for the request's user, for a page to read in its
    own query: (name -> (SQL of one number, parameters)) for those to read, and {name: 0} for
    those the user is not shown. Nothing for no request or an anonymous user."""
    parts: dict[str, tuple[str, list]] = {}
    known: dict[str, int] = {}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        for name, figure in HEADER_FIGURES.items():
            part = figure(user)
            if part is None:
                known[name] = 0
            else:
                parts[name] = part
    return parts, known


def keep_header_figures(request: HttpRequest | None, header: dict[str, int]) -> None:
    """The header's figures a page read (`header_figures`, every one of them), kept on the
    request as `header_figures` for the header's context processor, which then asks no query
    of its own."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and HEADER_FIGURES:
        request.header_figures = header


def filter_choices(*, with_fact_checkers: bool = False) -> dict[str, list[tuple[str, str]]]:
    """The filter bar's rating and topic choices (slug, label), and with `with_fact_checkers`
    the bulk bar's fact-checkers (id, username), in one query: the order and labels the
    filters' and the form's own querysets give them (active ratings by scale and position,
    topics by name, fact-checkers by username, `selectors.fact_checkers` deciding who)."""
    kinds = ("rating", "topic", "user") if with_fact_checkers else ("rating", "topic")
    return page_lookups(None, choices=kinds)[0]


def capped_count_sql(queryset, cap: int) -> tuple[str, list]:
    """SQL of how many rows `queryset` has, counting at most `cap` (a pager's figure for
    `page_lookups`): the rows' ids only, without the order."""
    sql, params = queryset.order_by().values("pk")[:cap].query.sql_with_params()
    return f"SELECT COUNT(*) FROM ({sql}) AS capped", list(params)  # noqa: S608 (the ORM's SQL)


def plain_model_choices(form, names: tuple[str, ...] | None = None) -> None:
    """Each model <select> of `form` filled from one ordinary query of its queryset, with the
    values and labels Django's iterator gives. (Django iterates a choice queryset as a
    server-side cursor on PostgreSQL: DECLARE, FETCH and CLOSE, three round trips a field.)
    A posted value is still checked against the queryset. `names`: only those fields (the
    ones the page shows)."""
    if form is None:
        return
    for name, field in form.fields.items():
        if names is not None and name not in names:
            continue
        if isinstance(field, ModelChoiceField) and not isinstance(
            field.widget.choices, list | tuple
        ):
            iterator = field.iterator(field)
            empty = [("", field.empty_label)] if field.empty_label is not None else []
            field.widget.choices = empty + [iterator.choice(obj) for obj in field.queryset]


def model_choices_from(form, name: str, objects: list) -> None:
    """`form`'s model <select> `name` filled from objects already read (its queryset's rows,
    in its order), with no query; a posted value is still checked against the queryset."""
    if form is None or name not in form.fields:
        return
    field = form.fields[name]
    iterator = field.iterator(field)
    empty = [("", field.empty_label)] if getattr(field, "empty_label", None) is not None else []
    field.widget.choices = empty + [iterator.choice(obj) for obj in objects]


def tidy_filter_form(claim_filter, bulk_form=None, *, choices=None) -> None:
    """Friendlier widgets for ClaimFilter's fields on a page (dates, "any", list heights).

    The rating and topic lists (and `bulk_form`'s fact-checkers) are filled from one query of
    plain values (`choices`, `filter_choices`' answer, when the page has read it already); a
    chosen value is still checked against the filter's and form's querysets."""
    fields = claim_filter.form.fields
    if "rating" in fields or "topic" in fields or bulk_form is not None:
        if choices is None:
            choices = filter_choices(with_fact_checkers=bulk_form is not None)
        if "rating" in fields:
            fields["rating"].widget.choices = choices["rating"]
        if "topic" in fields:
            fields["topic"].widget.choices = choices["topic"]
        if bulk_form is not None:
            assignee = bulk_form.fields["assignee"]
            assignee.widget.choices = [("", assignee.empty_label), *choices["user"]]
    for name in ("created_after", "created_before"):
        if name in fields:
            fields[name].widget.input_type = "date"
    if "overdue" in fields:
        fields["overdue"].widget.choices = [
            ("", "Any"),
            ("true", "Overdue"),
            ("false", "Not overdue"),
        ]
    for name in ("state", "rating", "topic", "priority"):
        if name in fields:
            fields[name].widget.attrs.setdefault("size", 4)


# --- Fragments rendered once per distinct input ------------------------------------------------

# How many distinct fragments a process keeps (a few KB each); past it the oldest half goes.
FRAGMENTS_KEPT = 256
_fragments: dict[tuple, SafeString] = {}


def cached_fragment(key: tuple, render: Callable[[], str]) -> SafeString:
    """`render()`'s HTML, rendered once per distinct `key` in this process. The key must hold
    everything the HTML depends on (choices read by this request, the request's own values,
    errors, the language): nothing is kept that this request did not just read, so a change
    to a topic or a person shows on the next page with no invalidation to forget."""
    key = (translation.get_language(), *key)
    html = _fragments.get(key)
    if html is None:
        html = mark_safe(render())  # noqa: S308 (a template's output, escaped by it)
        if len(_fragments) >= FRAGMENTS_KEPT:
            for old in list(_fragments)[: FRAGMENTS_KEPT // 2]:
                _fragments.pop(old, None)
        _fragments[key] = html
    return html


def filter_bar(request: HttpRequest, claim_filter, choices: dict, errors: list[str]) -> SafeString:
    """claims/_filter_bar.html for `claim_filter` (already validated: its `qs` read; or, for a
    request that filters nothing, a function that builds it), its widgets tidied
    (`tidy_filter_form`) with `choices`. Rendered once per distinct choices, query and errors
    (the widgets and their options cost several times the page's query)."""
    query = tuple((k, tuple(v)) for k, v in sorted(request.GET.lists()) if k != "page")
    field_errors = ()
    if not callable(claim_filter):
        field_errors = tuple((name, tuple(map(str, e))) for name, e in claim_filter.errors.items())
    key = (
        "filter_bar",
        request.path,
        tuple(choices["rating"]),
        tuple(choices["topic"]),
        query,
        field_errors,
        tuple(errors),
    )

    def render() -> str:
        shown = claim_filter() if callable(claim_filter) else claim_filter
        tidy_filter_form(shown, choices=choices)
        return render_to_string(
            "claims/_filter_bar.html",
            {"filter": shown, "filter_errors": errors, "request": request},
        )

    return cached_fragment(key, render)
