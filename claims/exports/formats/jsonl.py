"""JSON Lines: one claim object per line, nothing else (streams into any line-based tool)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator


def write(rows: Iterable[dict], *, on_row=None) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"
        if on_row:
            on_row()
