"""The role x action matrix over HTTP: every workflow action (and adding evidence) as an editor,
as the fact-checker assigned to the claim, as another fact-checker, and anonymously; allowed and
refused, with the status code, the message, and the claim unchanged when refused."""

import pytest

from claims import workflow
from claims.models import Claim, ClaimEvent, Evidence
from tests.factories import claim_in, rating

from .conftest import client_for

pytestmark = pytest.mark.django_db
S = Claim.State

EDITOR_ONLY = "editor"
ASSIGNEE_ONLY = "assignee"

# action -> (url part, the state the claim must be in, payload builder, who may, state after)
ACTIONS = {
    "promote": ("promote", S.CANDIDATE, lambda u: {}, EDITOR_ONLY, S.OPEN),
    "dismiss": ("dismiss", S.CANDIDATE, lambda u: {"reason": "opinion"}, EDITOR_ONLY, S.DISMISSED),
    "restore": ("restore", S.DISMISSED, lambda u: {}, EDITOR_ONLY, S.CANDIDATE),
    "set_priority": ("set-priority", S.OPEN, lambda u: {"priority": "high"}, EDITOR_ONLY, S.OPEN),
    "set_topics": ("set-topics", S.OPEN, lambda u: {"topics": []}, EDITOR_ONLY, S.OPEN),
    "assign": (
        "assign",
        S.OPEN,
        lambda u: {"assignee": u["checker"].pk},
        EDITOR_ONLY,
        S.ASSIGNED,
    ),
    "reassign": (
        "reassign",
        S.ASSIGNED,
        lambda u: {"assignee_username": "checker2"},
        EDITOR_ONLY,
        S.ASSIGNED,
    ),
    "unassign": ("unassign", S.ASSIGNED, lambda u: {}, EDITOR_ONLY, S.OPEN),
    "decline": ("decline", S.ASSIGNED, lambda u: {"reason": "Conflict."}, ASSIGNEE_ONLY, S.OPEN),
    "start": ("start", S.ASSIGNED, lambda u: {}, ASSIGNEE_ONLY, S.IN_REVIEW),
    "save_draft": (
        "save-draft",
        S.IN_REVIEW,
        lambda u: {"rating": rating("false").pk, "summary": "Not so.", "rationale": "Data."},
        ASSIGNEE_ONLY,
        S.IN_REVIEW,
    ),
    "submit": ("submit", "in_review_with_draft", lambda u: {}, ASSIGNEE_ONLY, S.SUBMITTED),
    "approve": ("approve", S.SUBMITTED, lambda u: {"note": "Good."}, EDITOR_ONLY, S.APPROVED),
    "return": (
        "return",
        S.SUBMITTED,
        lambda u: {"note": "Cite the survey."},
        EDITOR_ONLY,
        S.IN_REVIEW,
    ),
    "publish": ("publish", S.APPROVED, lambda u: {}, EDITOR_ONLY, S.PUBLISHED),
}

# Who the workflow names in a refusal.
WHO = {
    "assign": "an editor or the scheduler",
    "approve": "an editor who did not write the verdict",
    "return": "an editor who did not write the verdict",
}
ROLES = ["editor", "assignee", "non_assignee", "anonymous"]


@pytest.fixture
def people(editor, checker, checker2):
    return {"editor": editor, "checker": checker, "checker2": checker2}


def prepare(state: str, people) -> Claim:
    if state == "in_review_with_draft":
        claim = claim_in(S.IN_REVIEW, editor=people["editor"], checker=people["checker"])
        from claims import workflow

        workflow.verdict_save_draft(
            claim_id=claim.pk, actor=people["checker"], rating_id=rating().pk, summary="Not so."
        )
        return Claim.objects.get(pk=claim.pk)
    return claim_in(state, editor=people["editor"], checker=people["checker"])


def client_as(role: str, people):
    user = {
        "editor": people["editor"],
        "assignee": people["checker"],
        "non_assignee": people["checker2"],
        "anonymous": None,
    }[role]
    return client_for(user)


def allowed(who: str, role: str) -> bool:
    return (who == EDITOR_ONLY and role == "editor") or (
        who == ASSIGNEE_ONLY and role == "assignee"
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_workflow_action(action, role, people):
    path, state, payload, who, after = ACTIONS[action]
    claim = prepare(state, people)
    before_version, before_state = claim.version, claim.state
    body = {**payload(people), "version": claim.version}

    response = client_as(role, people).post(
        f"/api/v1/claims/{claim.pk}/{path}/", body, format="json"
    )

    claim.refresh_from_db()
    data = response.json()
    if role == "anonymous":
        assert response.status_code == 401, data
        assert data == {
            "detail": "Authentication credentials were not provided.",
            "code": "not_authenticated",
            "errors": {},
        }
        assert response["WWW-Authenticate"] == "Token"
    elif allowed(who, role):
        assert response.status_code == 200, data
        assert data["state"] == after == claim.state
        assert data["version"] == claim.version == before_version + 1
        assert response["ETag"] == f'"{claim.version}"'
        event = ClaimEvent.objects.filter(claim=claim).first()
        assert event.transition == action
        assert event.actor == people["editor" if who == EDITOR_ONLY else "checker"]
    else:
        actor = {"editor": "editor", "assignee": "checker", "non_assignee": "checker2"}[role]
        name = workflow.doing(action)
        holder = WHO.get(action, "an editor" if who == EDITOR_ONLY else "the assignee")
        assert response.status_code == 403, data
        assert data == {
            "detail": f"Only {holder} can {name} this claim; {actor} cannot.",
            "code": "permission_denied",
            "errors": {},
        }
    if not allowed(who, role):
        assert (claim.state, claim.version) == (before_state, before_version)


@pytest.mark.parametrize("role", ROLES)
def test_add_evidence(role, people):
    claim = prepare(S.IN_REVIEW, people)
    response = client_as(role, people).post(
        f"/api/v1/claims/{claim.pk}/evidence/",
        {"url": "https://stats.example.org/unemployment", "stance": "refutes", "title": "Stats"},
        format="json",
    )
    data = response.json()
    if role == "anonymous":
        assert response.status_code == 401
        assert data["code"] == "not_authenticated"
    elif role in {"editor", "assignee"}:
        assert response.status_code == 201, data
        assert data["url"] == "https://stats.example.org/unemployment"
        assert data["stance"] == "refutes"
        assert data["claim"] == claim.pk
        assert data["link_status"] == "unchecked"
    else:
        assert response.status_code == 403
        assert data["detail"] == "Only the claim's assignee or an editor can add evidence to it."
    expected = 1 if role in {"editor", "assignee"} else 0
    assert Evidence.objects.filter(claim=claim).count() == expected


def test_editor_cannot_approve_a_verdict_they_wrote(people, editor, editor2):
    """Four eyes over HTTP: an editor assigned as a fact-checker writes, another approves."""
    from claims import workflow
    from claims.models import Verdict
    from tests.factories import fact_checker

    writer = fact_checker("writer")
    writer.groups.add(*editor.groups.all())  # an editor who also checks claims
    claim = claim_in(S.IN_REVIEW, editor=editor, checker=writer)
    workflow.verdict_save_draft(
        claim_id=claim.pk, actor=writer, rating_id=rating().pk, summary="Not so."
    )
    workflow.claim_submit(claim_id=claim.pk, actor=writer)

    refused = client_for(writer).post(f"/api/v1/claims/{claim.pk}/approve/", {}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "You wrote this verdict: another editor must approve or return it (four eyes)."
    )
    approved = client_for(editor2).post(f"/api/v1/claims/{claim.pk}/approve/", {}, format="json")
    assert approved.status_code == 200
    assert Verdict.objects.get(claim=claim, is_current=True).state == "approved"
