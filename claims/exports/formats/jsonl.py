"""JSON Lines: one claim object per line, nothing else (streams into any line-based tool)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import orjson


def write(rows: Iterable[dict], *, on_row=None) -> Iterator[str]:
    for row in rows:
        yield orjson.dumps(row).decode() + "\n"
        if on_row:
            on_row()
