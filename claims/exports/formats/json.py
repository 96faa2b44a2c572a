"""One JSON document: {"generated_at", "title", "filters", "claims": [...], "count"}, in pieces.

The title names the claim states it holds ("Approved and published verdicts").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

import orjson
from django.utils import timezone


def write(
    rows: Iterable[dict], *, filters: dict | None = None, title: str = "", on_row=None
) -> Iterator[str]:
    head = {"generated_at": timezone.now().isoformat(), "title": title, "filters": filters or {}}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "claims": ['
    count = 0
    for row in rows:
        yield ("," if count else "") + "\n" + orjson.dumps(row).decode()
        count += 1
        if on_row:
            on_row()
    yield f'\n], "count": {count}}}\n'
