"""Verdict exports: what the reports page, the API, the command and the Celery job call.

- `export_stream` gives the pieces of a small export for a streaming response;
- `export_create` files a background export and queues `claims.build_export` on commit;
- `export_build` (the job's body) writes the file through Django's storage, with progress.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from claims import permissions
from claims.errors import InvalidInput, PermissionDenied
from claims.models import Claim, Export, Rating

from . import csv_copy, selectors
from .formats import claimreview, csv, get_format, json, jsonl, pdf

logger = logging.getLogger(__name__)

# Above these many rows an export from the reports page runs in the background.
STREAM_MAX_ROWS = getattr(settings, "EXPORT_STREAM_MAX_ROWS", 5000)
PDF_STREAM_MAX_ROWS = getattr(settings, "EXPORT_PDF_STREAM_MAX_ROWS", 200)
# A PDF is laid out whole in memory; past this it is no report anyone reads either.
PDF_MAX_ROWS = getattr(settings, "EXPORT_PDF_MAX_ROWS", 5000)


def _check_can_export(user) -> None:
    if not permissions.can_export(user):
        name = user.get_username() if getattr(user, "is_authenticated", False) else "anonymous"
        raise PermissionDenied(
            f"Only editors and the data desk can export verdicts; {name} cannot."
        )


def export_queryset(*, user, filters, format_name: str | None = None) -> QuerySet[Claim]:
    _check_can_export(user)
    return selectors.export_queryset(user=user, filters=filters, format_name=format_name)


def only_published_for_claimreview(format_name: str, queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    """ClaimReview leaves the newsroom: whoever built the queryset, only published fact-checks
    go into one (Guarantee 5, on every path: view, job, command)."""
    if format_name != Export.Format.CLAIMREVIEW:
        return queryset
    if queryset.query.is_sliced:  # a capped export (at most its slice of ids): the same cap
        ids = list(queryset.values_list("pk", flat=True))
        return Claim.objects.filter(pk__in=ids, state=Claim.State.PUBLISHED).order_by("pk")
    return queryset.filter(state=Claim.State.PUBLISHED)


def export_title(*, user, filters, format_name: str) -> str:
    """The report's title, naming the states it holds: 'approved and published verdicts'."""
    states = selectors.export_states(user=user, filters=filters, format_name=format_name)
    return selectors.describe_states(states).capitalize()


def stream_row_limit(format_name: str) -> int:
    return PDF_STREAM_MAX_ROWS if format_name == Export.Format.PDF else STREAM_MAX_ROWS


def check_size(format_name: str, count: int) -> None:
    if format_name == Export.Format.PDF and count > PDF_MAX_ROWS:
        raise InvalidInput(
            f"A PDF report holds at most {PDF_MAX_ROWS:,} claims and these filters match "
            f"{count:,}: narrow them, or export CSV or JSON.",
            code="too_large",
        )


def text_chunks(
    format_name: str,
    queryset: QuerySet[Claim],
    *,
    filters: Mapping[str, Any] | None = None,
    on_row: Callable[[], None] | None = None,
    chunk_size: int = selectors.CHUNK_SIZE,
    user=None,
) -> Iterator[str]:
    """The export as str pieces (every format but the PDF)."""
    queryset = only_published_for_claimreview(format_name, queryset)
    if format_name == Export.Format.CSV and csv_copy.usable():
        return csv_copy.write(queryset, on_row=on_row)  # PostgreSQL writes it: same bytes
    rows = selectors.iter_rows(
        queryset,
        chunk_size=chunk_size,
        for_claimreview=format_name == Export.Format.CLAIMREVIEW,
    )
    if format_name == Export.Format.CSV:
        return csv.write(rows, on_row=on_row)
    if format_name == Export.Format.JSON:
        return json.write(
            rows,
            filters=selectors.filters_to_dict(filters),
            title=export_title(user=user, filters=filters, format_name=format_name),
            on_row=on_row,
        )
    if format_name == Export.Format.JSONL:
        return jsonl.write(rows, on_row=on_row)
    if format_name == Export.Format.CLAIMREVIEW:
        return claimreview.write(rows, on_row=on_row)
    raise InvalidInput(f"{format_name} is not a text format.")


def write_export(
    format_name: str,
    queryset: QuerySet[Claim],
    out: IO[bytes],
    *,
    filters: Mapping[str, Any] | None = None,
    on_row: Callable[[], None] | None = None,
    user=None,
) -> int:
    """Write a whole export to a binary file object; returns the number of claims.
    `user` is whose export it is (None: a management command); it names the states held."""
    get_format(format_name)
    count = 0

    def counted() -> None:
        nonlocal count
        count += 1
        if on_row:
            on_row()

    if format_name == Export.Format.PDF:
        check_size(format_name, queryset.count())
        pdf.write(
            selectors.iter_rows(queryset),
            out,
            filters_described=selectors.describe_filters(filters),
            title=export_title(user=user, filters=filters, format_name=format_name),
            rating_order=list(Rating.objects.filter(active=True).values_list("label", flat=True)),
            on_row=counted,
        )
        return count
    for piece in text_chunks(format_name, queryset, filters=filters, on_row=counted, user=user):
        out.write(piece.encode("utf-8"))
    return count


def export_filename(
    format_name: str, export_id: int | None = None, *, user=None, filters=None
) -> str:
    """'verdicts-approved-published-20261201-0930.csv'; other states are named the same way
    ('claims-open-assigned-...'), so a file never passes for what it is not."""
    states = selectors.export_states(user=user, filters=filters, format_name=format_name)
    noun = "verdicts" if set(states) <= set(selectors.VERDICT_STATES) else "claims"
    if format_name == Export.Format.CLAIMREVIEW:
        noun = "fact-checks"
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    suffix = f"-{export_id}" if export_id else ""
    named = "-".join(s.replace("_", "-") for s in states)
    return f"{noun}-{named}-{stamp}{suffix}.{get_format(format_name).extension}"


def export_create(*, user, format: str, filters: Mapping[str, Any] | None) -> Export:
    """File a background export and queue `claims.build_export` once the row is committed."""
    _check_can_export(user)
    get_format(format)
    stored = selectors.filters_to_dict(filters)
    selectors.build_filter(stored)  # refuse bad filters now, in words, not in the job
    from .tasks import queue_build

    with transaction.atomic():
        export = Export.objects.create(requested_by=user, format=format, filters=stored)
        queue_build(export.pk)  # recorded in this transaction, sent after commit
    return export


def _set(export_id: int, **fields) -> None:
    Export.objects.filter(pk=export_id).update(**fields)


def export_build(*, export_id: int) -> Export | None:
    """Build an export's file. Running it again rebuilds a file that is not done, and leaves a
    done one alone."""
    export = Export.objects.select_related("requested_by").filter(pk=export_id).first()
    if export is None:
        logger.warning("Export %s no longer exists; nothing to build.", export_id)
        return None
    if export.state == Export.State.DONE and export.file:
        return export
    user = export.requested_by
    try:
        queryset = export_queryset(user=user, filters=export.filters, format_name=export.format)
        total = queryset.count()
        check_size(export.format, total)
    except (InvalidInput, PermissionDenied) as error:
        _set(export.pk, state=Export.State.FAILED, error=str(error), finished_at=timezone.now())
        return Export.objects.get(pk=export.pk)
    _set(export.pk, state=Export.State.RUNNING, progress=0, row_count=0, error="")
    step = max(1, total // 50)
    done = 0

    def progress() -> None:
        nonlocal done
        done += 1
        if done % step == 0:
            _set(export.pk, progress=min(99, done * 100 // max(total, 1)), row_count=done)

    fmt = get_format(export.format)
    filename = export_filename(export.format, export.pk, user=user, filters=export.filters)
    name = f"exports/{export.pk}/{filename}"
    with tempfile.TemporaryFile() as tmp:
        count = write_export(
            export.format, queryset, tmp, filters=export.filters, on_row=progress, user=user
        )
        tmp.seek(0)
        if export.file:
            default_storage.delete(export.file.name)
        saved = default_storage.save(name, File(tmp, name=name))
    _set(
        export.pk,
        state=Export.State.DONE,
        progress=100,
        row_count=count,
        file=saved,
        finished_at=timezone.now(),
    )
    logger.info("Export %s (%s) done: %s claims in %s.", export.pk, fmt.name, count, saved)
    return Export.objects.get(pk=export.pk)


def export_fail(*, export_id: int, message: str) -> None:
    _set(export_id, state=Export.State.FAILED, error=message, finished_at=timezone.now())


def can_see_export(user, export: Export) -> bool:
    return permissions.can_export(user) and (
        export.requested_by_id == user.pk or permissions.is_editor(user)
    )
