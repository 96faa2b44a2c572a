"""My queue: the fact-checker's home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from claims import permissions, selectors
from claims.models import Claim

from .rows import queue_rows

QUEUE_STATE_CHOICES = [(s, Claim.State(s).label) for s in selectors.QUEUE_STATES]


@login_required
def home(request):
    """Where people land: editors on the overview of the desk's work, others on their queue."""
    if permissions.can_triage(request.user):
        from .overview import overview

        return overview(request)
    return queue(request)


@login_required
def queue(request):
    """My queue: the claims assigned to me, most pressing deadline first."""
    states = [s for s in request.GET.getlist("state") if s in selectors.QUEUE_STATES]
    topics = [t for t in request.GET.getlist("topic") if t]
    queue = queue_rows(selectors.queue_for(request.user, states=states, topics=topics))
    next_claim = next((c for c in queue if c["state"] in Claim.WORKING_STATES), None)
    return render(
        request,
        "claims/home.html",
        {
            "queue": queue,
            "next_claim": next_claim,
            "filtered": bool(states or topics),
            "state_choices": QUEUE_STATE_CHOICES,
            "chosen_states": states,
            "topic_choices": selectors.all_topics(),
            "chosen_topics": topics,
            "is_editor": permissions.is_editor(request.user),
            "can_view": permissions.can_view_claims(request.user),
        },
    )
