"""My queue: the fact-checker's home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from claims import permissions, selectors
from claims.models import Claim

from .common import cached_fragment, page_lookups
from .rows import queue_rows

QUEUE_STATE_CHOICES = [(s, Claim.State(s).label) for s in selectors.QUEUE_STATES]


@login_required
def home(request):
    """Where people land: editors on the overview of the desk's work, others on their queue."""
    if permissions.can_triage(request.user):
        from .overview import overview

        return overview(request)
    return queue(request)


def _queue_filters(request, topics: list[tuple[str, str]], states: list[str], chosen: list[str]):
    """claims/_queue_filters.html: the queue's filter form, rendered once per distinct topic
    list (read by this request) and choice."""
    filtered = bool(states or chosen)
    key = ("queue_filters", request.path, tuple(topics), tuple(states), tuple(chosen))

    def render() -> str:
        return render_to_string(
            "claims/_queue_filters.html",
            {
                "state_choices": QUEUE_STATE_CHOICES,
                "chosen_states": states,
                "topic_choices": [{"slug": slug, "name": name} for slug, name in topics],
                "chosen_topics": chosen,
                "filtered": filtered,
                "request": request,
            },
        )

    return cached_fragment(key, render)


@login_required
def queue(request):
    """My queue: the claims assigned to me, most pressing deadline first."""
    states = [s for s in request.GET.getlist("state") if s in selectors.QUEUE_STATES]
    topics = [t for t in request.GET.getlist("topic") if t]
    # The topic choices and the header's counts: one query.
    choices, _figures = page_lookups(request, choices=("topic",))
    queue = queue_rows(selectors.queue_for(request.user, states=states, topics=topics))
    next_claim = next((c for c in queue if c["state"] in Claim.WORKING_STATES), None)
    return render(
        request,
        "claims/home.html",
        {
            "queue": queue,
            "queue_html": mark_safe("".join(row["html"] for row in queue)),  # noqa: S308 (escaped rows)
            "next_claim": next_claim,
            "filtered": bool(states or topics),
            "filters": _queue_filters(request, choices["topic"], states, topics),
            "is_editor": permissions.is_editor(request.user),
            "can_view": permissions.can_view_claims(request.user),
        },
    )
