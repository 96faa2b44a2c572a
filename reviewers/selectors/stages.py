"""How long claims spend in each stage of the workflow (from the audit trail), and the stage
where they wait longest."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import Lead
from django.utils import timezone

from claims.models import ClaimEvent

# The stages of a claim whose time the workload page measures, in workflow order.
STAGES = [
    ("open", "Open, waiting for a reviewer"),
    ("assigned", "Assigned, not started"),
    ("in_review", "In review"),
    ("submitted", "Submitted, waiting for editors"),
]


@dataclass(frozen=True)
class StageTime:
    state: str
    label: str
    median: timedelta | None
    count: int


def cycle_times(*, days: int = 90, now: datetime | None = None) -> list[StageTime]:
    """Median time claims spend in each stage, from the audit trail of the last `days` days.

    One query: each state change with the time of the claim's next state change (a window
    function); a stay that has not ended yet is not counted.
    """
    now = now or timezone.now()
    changes = (
        ClaimEvent.objects.filter(created_at__gte=now - timedelta(days=days))
        .exclude(from_state=F("to_state"))
        .annotate(
            left_at=Window(
                Lead("created_at"),
                partition_by=[F("claim_id")],
                order_by=[F("created_at").asc(), F("pk").asc()],
            )
        )
        .order_by()
        .values_list("to_state", "created_at", "left_at")
    )
    if connection.vendor == "postgresql":
        # The medians in the database: one round trip and four rows, where reading every
        # stay through a cursor took a DECLARE, FETCHes and a CLOSE.
        with connection.cursor() as cursor:
            cursor.execute(_STAGE_TIMES_SQL, _stage_params(now, days))
            measured = {state: (median, count) for state, median, count in cursor.fetchall()}
    else:
        stays: dict[str, list[float]] = {state: [] for state, _ in STAGES}
        for state, entered, left in changes.iterator(chunk_size=2000):
            if state in stays and left is not None:
                stays[state].append((left - entered).total_seconds())
        measured = {
            state: (statistics.median(seconds), len(seconds))
            for state, seconds in stays.items()
            if seconds
        }
    return _stage_times(measured)


# cycle_times on PostgreSQL: each state change of the last days with the time of the claim's
# next state change (a window function), a stay not ended yet left out; the median and count
# per stage.
_STAGE_TIMES_SQL = """
    SELECT to_state,
           PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM left_at - created_at)),
           COUNT(*)
    FROM (
        SELECT e.to_state, e.created_at,
               LEAD(e.created_at) OVER (PARTITION BY e.claim_id ORDER BY e.created_at, e.id)
                   AS left_at
        FROM "claims_claimevent" e
        WHERE e.created_at >= %(stages_since)s AND NOT (e.from_state = e.to_state)
    ) AS stays
    WHERE left_at IS NOT NULL AND to_state = ANY(%(stages)s)
    GROUP BY to_state"""


def _stage_params(now: datetime, days: int) -> dict:
    return {"stages_since": now - timedelta(days=days), "stages": [s for s, _ in STAGES]}


def _stage_times(measured: dict) -> list[StageTime]:
    return [
        StageTime(
            state=state,
            label=label,
            median=timedelta(seconds=float(measured[state][0])) if state in measured else None,
            count=measured[state][1] if state in measured else 0,
        )
        for state, label in STAGES
    ]


def bottleneck(stages: list[StageTime]) -> StageTime | None:
    measured = [s for s in stages if s.median is not None]
    return max(measured, key=lambda s: s.median) if measured else None
