"""The claims list, from values() rows.

A page of the list is built from the plain rows of `claims.api.selectors.claims_list_rows`
(one query) into exactly what ClaimSerializer gives for the same claim (a test holds them
equal), without a model instance or a serializer field per value: that per-field work was most
of the list's cost. The schema of a list row stays ClaimSerializer's."""

from __future__ import annotations

from django.utils import timezone

from claims import permissions, workflow
from claims.models import Claim

from ..selectors import CURRENT_VERDICT

_DATETIMES = (
    "due_at",
    "published_at",
    "created_at",
    "updated_at",
    "article__published_at",
)
_VERDICT_DATETIMES = ("decided_at", "submitted_at", "created_at", "updated_at")


class _ClaimFacts:
    """What the workflow's permission checks read from a claim (state and assignee)."""

    __slots__ = ("state", "assignee_id")

    def __init__(self, state: str, assignee_id: int | None) -> None:
        self.state = state
        self.assignee_id = assignee_id


class _VerdictFacts:
    """What permissions.can_view_verdict reads from a current verdict."""

    __slots__ = ("state", "author_id", "is_current")

    def __init__(self, state: str, author_id: int) -> None:
        self.state = state
        self.author_id = author_id
        self.is_current = True


_V = CURRENT_VERDICT  # the prefix of a row's current verdict values
_V_ID, _V_STATE, _V_AUTHOR = _V + "id", _V + "state", _V + "author_id"
_V_RATING, _V_DECIDED_BY = _V + "rating_id", _V + "decided_by_id"
_V_DATETIMES = tuple(_V + name for name in _VERDICT_DATETIMES)


def claim_list_rows(rows: list[dict], user, topics: dict[int, list[str]] | None = None) -> list:
    """ClaimSerializer's representation of each values() row (claims.api.selectors
    claims_list_rows, with its current verdict's values) for `user`."""
    now = timezone.now()
    local = timezone.get_current_timezone()
    convert = getattr(local, "key", None) != "UTC"
    actions: dict[tuple[str, bool], list[str]] = {}
    user_pk = user.pk
    out = []
    for r in rows:
        if convert:
            for name in _DATETIMES:
                if r[name] is not None:
                    r[name] = timezone.localtime(r[name], local)
        state = r["state"]
        assignee_id = r["assignee_id"]
        mine = assignee_id is not None and assignee_id == user_pk
        key = (state, mine)
        if key not in actions:
            # Transitions depend on the state and on whether the user is the assignee only.
            facts = _ClaimFacts(state, assignee_id)
            actions[key] = workflow.available_transitions(facts, user)
        verdict = None
        if r[_V_ID] is not None and permissions.can_view_verdict(
            user, _VerdictFacts(r[_V_STATE], r[_V_AUTHOR]), _ClaimFacts(state, assignee_id)
        ):
            if convert:
                for name in _V_DATETIMES:
                    if r[name] is not None:
                        r[name] = timezone.localtime(r[name], local)
            verdict = {
                "id": r[_V_ID],
                "claim": r["id"],
                "rating": None
                if r[_V_RATING] is None
                else {
                    "id": r[_V_RATING],
                    "slug": r[_V + "rating__slug"],
                    "label": r[_V + "rating__label"],
                    "value": r[_V + "rating__value"],
                },
                "summary": r[_V + "summary"],
                "rationale": r[_V + "rationale"],
                "author": {"id": r[_V_AUTHOR], "username": r[_V + "author__username"]},
                "state": r[_V_STATE],
                "is_current": True,
                "decided_by": None
                if r[_V_DECIDED_BY] is None
                else {"id": r[_V_DECIDED_BY], "username": r[_V + "decided_by__username"]},
                "decision_note": r[_V + "decision_note"],
                "decided_at": r[_V + "decided_at"],
                "submitted_at": r[_V + "submitted_at"],
                "correction_of": r[_V + "correction_of_id"],
                "correction_note": r[_V + "correction_note"],
                "created_at": r[_V + "created_at"],
                "updated_at": r[_V + "updated_at"],
                "version": r["version"],
            }
        due_at = r["due_at"]
        out.append(
            {
                "id": r["id"],
                "version": r["version"],
                "article": {
                    "id": r["article_id"],
                    "title": r["article__title"],
                    "publisher": r["article__publisher"],
                    "url": r["article__url"],
                    "published_at": r["article__published_at"],
                },
                "text": r["text"],
                "context": r["context"],
                "position": r["position"],
                "start_offset": r["start_offset"],
                "end_offset": r["end_offset"],
                "claimant": r["claimant"],
                "claimant_method": r["claimant_method"],
                "score": r["score"],
                "language": r["language"],
                "topics": r["topic_slugs"] if topics is None else topics.get(r["id"], []),
                "priority": r["priority"],
                "due_at": due_at,
                "is_overdue": bool(due_at and due_at < now and state in Claim.WORKING_STATES),
                "state": state,
                "dismiss_reason": r["dismiss_reason"],
                "assignee": None
                if assignee_id is None
                else {"id": assignee_id, "username": r["assignee__username"]},
                "duplicate_of": r["duplicate_of_id"],
                "repeat_count": r["repeat_count"],
                "published_at": r["published_at"],
                "created_at": r["created_at"],
                "updated_at": r["updated_at"],
                "current_verdict": verdict,
                "available_actions": actions[key],
            }
        )
    return out
