"""Bulk actions over selected claims (triage on the article page, the claims list's bar).

Each claim goes through its own workflow call with the version the page showed, so one refused
claim (changed meanwhile, wrong state) never stops or undoes the others; each refusal is reported.
"""

from __future__ import annotations

from claims import workflow
from claims.errors import WorkflowError
from claims.forms import BulkForm
from claims.models import Claim

VERBS = {
    "promote": "promoted to open",
    "dismiss": "dismissed",
    "priority": "given the new priority",
    "topics": "given the new topics",
    "assign": "assigned",
    "reassign": "reassigned",
    "unassign": "unassigned",
}


def apply_bulk(user, form: BulkForm) -> tuple[list[int], list[tuple[int, str]], str]:
    data = form.cleaned_data
    action = data["action"]
    versions = form.versions()
    done: list[int] = []
    failed: list[tuple[int, str]] = []
    assignee = data.get("assignee")
    anyway = bool(data.get("assign_anyway"))
    # The workflow applies the assignment policy to each claim; an override carries the
    # editor's own reason.
    person = {
        "assignee": assignee,
        "assign_anyway": anyway,
        "reason": (data.get("assign_reason") or "").strip()
        if anyway
        else f"by hand ({user.get_username()})",
    }
    states = dict(Claim.objects.filter(pk__in=list(versions)).values_list("pk", "state"))
    for claim_id, version in versions.items():
        common = {"claim_id": claim_id, "actor": user, "expected_version": version}
        try:
            if action == "promote":
                workflow.claim_promote(**common)
            elif action == "dismiss":
                workflow.claim_dismiss(**common, reason=data["reason"])
            elif action == "priority":
                workflow.claim_set_priority(**common, priority=data["priority"])
            elif action == "topics":
                workflow.claim_set_topics(**common, topic_ids=[t.pk for t in data["topics"]])
            elif action == "assign" and states.get(claim_id) in Claim.WORKING_STATES:
                # "Assign" on a claim someone already has means "give it to this person".
                workflow.claim_reassign(**common, **person)
            elif action == "assign":
                workflow.claim_assign(**common, **person)
            elif action == "reassign":
                workflow.claim_reassign(**common, **person)
            elif action == "unassign":
                workflow.claim_unassign(**common)
            else:  # pragma: no cover - the form's choices rule this out
                raise ValueError(action)
        except WorkflowError as exc:
            failed.append((claim_id, str(exc)))
        else:
            done.append(claim_id)
    verb = VERBS.get(action, action)
    if action in {"assign", "reassign"} and assignee is not None:
        verb = f"{verb} to {assignee.get_username()}"
    return done, failed, verb
