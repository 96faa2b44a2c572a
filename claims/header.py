"""Numbers every dashboard page shows in its header, added by other apps (the reviewers app:
the unread notifications and the verdicts waiting for an editor, reviewers/apps.py).

name -> function of the user giving (SQL of one number, its parameters), or None where that
user is not shown it (the number is then 0). A page that reads its own lookups in one query
(claims.views.common.page_lookups) reads these with them. A module of its own, without
imports, so that an app registers here at start-up without loading the dashboard's views.
"""

from __future__ import annotations

from collections.abc import Callable

HEADER_FIGURES: dict[str, Callable[[object], tuple[str, list] | None]] = {}
