"""Random walks through the workflow; the invariants hold after every step."""

import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from claims import workflow
from claims.errors import WorkflowError
from claims.models import ApprovalVote, Claim, ClaimEvent, Verdict
from reviewers.models import Assignment
from tests.factories import ArticleFactory, ClaimFactory, editor, fact_checker, rating

# Events that record something without changing the claim's version.
UNVERSIONED = {"file", "add_evidence"}
_run_ids = itertools.count()


class WorkflowMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        n = next(_run_ids)
        self.people = [
            editor(f"ed{n}a"),
            editor(f"ed{n}b"),
            fact_checker(f"fc{n}a"),
            fact_checker(f"fc{n}b"),
        ]
        article = ArticleFactory()
        self.claims = [
            ClaimFactory(article=article, state=Claim.State.CANDIDATE, position=i) for i in range(3)
        ]
        self.ratings = [rating("false").pk, rating("true").pk, rating("misleading").pk]

    actors = st.integers(0, 4)  # 4 = the scheduler

    def _actor(self, i):
        return None if i == 4 else self.people[i]

    def _try(self, claim, call):
        before = Claim.objects.get(pk=claim.pk)
        events = before.events.count()
        try:
            call()
        except WorkflowError:
            after = Claim.objects.get(pk=claim.pk)
            # A refused action changes nothing and records nothing.
            assert (after.state, after.version) == (before.state, before.version)
            assert after.events.count() == events

    @rule(
        c=st.integers(0, 2),
        a=actors,
        name=st.sampled_from(
            ["promote", "restore", "start", "unassign", "publish", "submit", "expire"]
        ),
    )
    def simple(self, c, a, name):
        claim, actor = self.claims[c], self._actor(a)
        fn = getattr(workflow, f"claim_{name}")
        if name == "expire":
            self._try(claim, lambda: fn(claim_id=claim.pk))
        else:
            self._try(claim, lambda: fn(claim_id=claim.pk, actor=actor))

    @rule(c=st.integers(0, 2), a=actors, reason=st.sampled_from(["opinion", "duplicate", "x"]))
    def dismiss(self, c, a, reason):
        claim = self.claims[c]
        self._try(
            claim,
            lambda: workflow.claim_dismiss(claim_id=claim.pk, actor=self._actor(a), reason=reason),
        )

    @rule(c=st.integers(0, 2), a=actors, who=st.integers(0, 3), re=st.booleans())
    def assign(self, c, a, who, re):
        claim = self.claims[c]
        fn = workflow.claim_reassign if re else workflow.claim_assign
        self._try(
            claim, lambda: fn(claim_id=claim.pk, assignee=self.people[who], actor=self._actor(a))
        )

    @rule(c=st.integers(0, 2), a=actors)
    def decline(self, c, a):
        claim = self.claims[c]
        self._try(
            claim,
            lambda: workflow.claim_decline(
                claim_id=claim.pk, actor=self._actor(a), reason="too busy"
            ),
        )

    @rule(c=st.integers(0, 2), a=actors, r=st.integers(0, 2), summary=st.sampled_from(["", "s"]))
    def draft(self, c, a, r, summary):
        claim = self.claims[c]
        self._try(
            claim,
            lambda: workflow.verdict_save_draft(
                claim_id=claim.pk, actor=self._actor(a), rating_id=self.ratings[r], summary=summary
            ),
        )

    @rule(c=st.integers(0, 2), a=actors, approve=st.booleans())
    def decide(self, c, a, approve):
        claim, actor = self.claims[c], self._actor(a)

        def call():
            if approve:
                return workflow.claim_approve(claim_id=claim.pk, actor=actor)
            return workflow.claim_return(claim_id=claim.pk, actor=actor, note="Needs sources")

        self._try(claim, call)

    @invariant()
    def one_active_assignment_matching_the_claim(self):
        for claim in Claim.objects.filter(pk__in=[c.pk for c in self.claims]):
            active = list(Assignment.objects.filter(claim=claim, state="active"))
            assert len(active) <= 1
            if claim.state in {"assigned", "in_review", "submitted"}:
                assert len(active) == 1 and active[0].reviewer_id == claim.assignee_id
            if claim.state in {"candidate", "open", "dismissed"}:
                assert not active and claim.assignee_id is None

    @invariant()
    def nobody_approves_their_own_verdict(self):
        ids = [c.pk for c in self.claims]
        for vote in ApprovalVote.objects.filter(verdict__claim_id__in=ids).select_related(
            "verdict"
        ):
            assert vote.editor_id != vote.verdict.author_id
        for v in Verdict.objects.filter(claim_id__in=ids, decided_by__isnull=False):
            assert v.decided_by_id != v.author_id

    @invariant()
    def every_change_has_its_event(self):
        for claim in Claim.objects.filter(pk__in=[c.pk for c in self.claims]):
            versioned = (
                ClaimEvent.objects.filter(claim=claim).exclude(transition__in=UNVERSIONED).count()
            )
            assert claim.version == 1 + versioned
            last = claim.events.exclude(transition__in=UNVERSIONED).first()
            if last is not None:
                assert last.to_state == claim.state

    @invariant()
    def at_most_one_current_verdict(self):
        for claim in self.claims:
            assert Verdict.objects.filter(claim_id=claim.pk, is_current=True).count() <= 1


@pytest.mark.django_db
def test_workflow_state_machine():
    run_state_machine_as_test(
        WorkflowMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
