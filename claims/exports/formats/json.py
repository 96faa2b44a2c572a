"""One JSON document: {"generated_at", "filters", "count", "claims": [...]}, written in pieces."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from django.utils import timezone


def write(rows: Iterable[dict], *, filters: dict | None = None, on_row=None) -> Iterator[str]:
    head = {"generated_at": timezone.now().isoformat(), "filters": filters or {}}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "claims": ['
    count = 0
    for row in rows:
        yield ("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False)
        count += 1
        if on_row:
            on_row()
    yield f'\n], "count": {count}}}\n'
