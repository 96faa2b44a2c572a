"""Reads of the reviewers app, with their joins: a page costs the same few queries at any size.
Each reviewer's load (`reviewer_load`), the work that waits (`backlog`), the time claims spend
in each stage (`stages`) and the workload page that shows them all in one query (`page`)."""

from .backlog import backlog_totals, overdue_assignments, stuck_claims, waiting_claims
from .page import OVERDUE_SHOWN, WAITING_SHOWN, workload_page
from .reviewer_load import (
    active_assignment,
    due_soon_hours,
    week_start,
    workload,
    workload_pool,
    workload_totals,
)
from .stages import STAGES, StageTime, bottleneck, cycle_times

__all__ = [
    "OVERDUE_SHOWN",
    "STAGES",
    "WAITING_SHOWN",
    "StageTime",
    "active_assignment",
    "backlog_totals",
    "bottleneck",
    "cycle_times",
    "due_soon_hours",
    "overdue_assignments",
    "stuck_claims",
    "waiting_claims",
    "week_start",
    "workload",
    "workload_page",
    "workload_pool",
    "workload_totals",
]
