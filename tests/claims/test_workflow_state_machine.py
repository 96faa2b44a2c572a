"""Random walks through the workflow, side doors included; the invariants hold after every step.

Side doors (issue #11): reassigning with a draft in progress, saves in the admin, raw writes
around the services, evidence after publication, corrections that change the verdict and the
sources. Invariants: a verdict is submitted only by its author and decided only by others; work in
progress on a claim is its assignee's; a published fact-check's public content changes only with an
approved correction; every change has its ClaimEvent and version bump."""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from claims import corrections, services, workflow
from claims.errors import WorkflowError
from claims.models import ApprovalVote, Claim, ClaimEvent, Evidence, Verdict
from reviewers.models import Assignment
from tests.factories import ArticleFactory, ClaimFactory, editor, fact_checker, rating

# Events that record something without changing the claim's version: filing (version 1) and the
# link checker's observations (it never runs here).
UNVERSIONED = {"file", "evidence_broken", "evidence_changed"}
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
        root = get_user_model().objects.create_superuser(f"root{n}", f"root{n}@example.org", "pw")
        self.admin = Client()
        self.admin.force_login(root)
        self.public: dict[int, tuple] = {}  # published claim -> (public content, corrections)
        self.urls = itertools.count()

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

    @rule(c=st.integers(0, 2), who=st.integers(0, 3), steps=st.integers(1, 6))
    def progress(self, c, who, steps):
        """The next steps on the main path, by people entitled to take them: random walks alone
        seldom get a claim to publication, where corrections and the freeze begin."""
        for _ in range(steps):
            self._step(c, who)

    def _step(self, c, who):
        claim = Claim.objects.get(pk=self.claims[c].pk)
        S = Claim.State
        assignee = claim.assignee
        current = Verdict.objects.filter(claim=claim, is_current=True).first()
        editors = self.people[:2]
        if claim.state == S.CANDIDATE:
            step = lambda: workflow.claim_promote(claim_id=claim.pk, actor=editors[0])  # noqa: E731
        elif claim.state == S.OPEN:
            step = lambda: workflow.claim_assign(  # noqa: E731
                claim_id=claim.pk, assignee=self.people[who], actor=editors[0]
            )
        elif claim.state in {S.ASSIGNED, S.IN_REVIEW} and not (
            current and current.state == "draft" and current.author_id == claim.assignee_id
        ):
            step = lambda: workflow.verdict_save_draft(  # noqa: E731
                claim_id=claim.pk,
                actor=assignee,
                rating_id=self.ratings[who % 3],
                summary=f"Verdict by {assignee.get_username()}",
            )
        elif claim.state == S.IN_REVIEW:
            step = lambda: workflow.claim_submit(claim_id=claim.pk, actor=assignee)  # noqa: E731
        elif claim.state == S.SUBMITTED:
            other = next(e for e in editors if e.pk != current.author_id)
            step = lambda: workflow.claim_approve(claim_id=claim.pk, actor=other)  # noqa: E731
        elif claim.state == S.APPROVED:
            step = lambda: workflow.claim_publish(claim_id=claim.pk, actor=editors[0])  # noqa: E731
        elif (waiting := corrections.pending_correction(claim)) is not None:
            other = next(e for e in editors if e.pk != waiting.author_id)
            step = lambda: corrections.correction_approve(claim_id=claim.pk, actor=other)  # noqa: E731
        else:
            return
        self._try(claim, step)

    # --- Side doors -----------------------------------------------------------------------------

    @rule(
        c=st.integers(0, 2),
        who=st.integers(0, 3),
        how=st.sampled_from(["reassign", "unassign", "expire", "decline"]),
    )
    def leave_with_a_draft(self, c, who, how):
        """The claim leaves its assignee while their draft is in progress."""
        claim = Claim.objects.get(pk=self.claims[c].pk)
        if claim.state not in {Claim.State.ASSIGNED, Claim.State.IN_REVIEW}:
            return
        assignee = claim.assignee
        self._try(
            claim,
            lambda: workflow.verdict_save_draft(
                claim_id=claim.pk, actor=assignee, rating_id=self.ratings[0], summary="Half done"
            ),
        )
        editor = self.people[0]
        calls = {
            "reassign": lambda: workflow.claim_reassign(
                claim_id=claim.pk, assignee=self.people[who], actor=editor
            ),
            "unassign": lambda: workflow.claim_unassign(claim_id=claim.pk, actor=editor),
            "expire": lambda: workflow.claim_expire(claim_id=claim.pk),
            "decline": lambda: workflow.claim_decline(
                claim_id=claim.pk, actor=assignee, reason="Busy"
            ),
        }
        self._try(claim, calls[how])
        # Whoever has it now may try to submit what is current: never someone else's draft.
        claim.refresh_from_db()
        if claim.assignee is not None:
            self._try(claim, lambda: workflow.claim_submit(claim_id=claim.pk, actor=claim.assignee))

    @rule(c=st.integers(0, 2), a=actors)
    def add_evidence(self, c, a):
        claim = self.claims[c]
        self._try(
            claim,
            lambda: services.evidence_add(
                claim_id=claim.pk,
                actor=self._actor(a),
                url=f"https://source.example/{next(self.urls)}",
            ),
        )

    editors_mostly = st.one_of(st.integers(0, 1), actors)

    @rule(
        c=st.integers(0, 2),
        a=editors_mostly,
        r=st.integers(0, 2),
        add=st.booleans(),
        withdraw=st.booleans(),
    )
    def correct(self, c, a, r, add, withdraw):
        claim = self.claims[c]
        on_record = corrections.sources_on_record(Claim.objects.get(pk=claim.pk)).first()
        self._try(
            claim,
            lambda: corrections.correction_propose(
                claim_id=claim.pk,
                actor=self._actor(a),
                rating_id=self.ratings[r],
                summary="Corrected.",
                rationale="",
                note="Corrected for readers.",
                add_evidence=[{"url": f"https://fix.example/{next(self.urls)}"}] if add else [],
                withdraw_evidence=[on_record.pk] if withdraw and on_record else [],
            ),
        )

    @rule(c=st.integers(0, 2), a=editors_mostly, approve=st.booleans())
    def decide_correction(self, c, a, approve):
        claim, actor = self.claims[c], self._actor(a)

        def call():
            if approve:
                return corrections.correction_approve(claim_id=claim.pk, actor=actor)
            return corrections.correction_return(claim_id=claim.pk, actor=actor, note="No.")

        self._try(claim, call)

    @rule(c=st.integers(0, 2), who=st.integers(0, 3))
    def admin_saves(self, c, who):
        """A superuser edits the claim and adds a verdict in someone's name: both refused."""
        claim = Claim.objects.get(pk=self.claims[c].pk)
        before = (claim.text, claim.claimant, claim.version, claim.verdicts.count())
        edit = self.admin.post(
            reverse("admin:claims_claim_change", args=[claim.pk]),
            {"text": "Rewritten in the admin", "claimant": "Nobody"},
        )
        forged = self.admin.post(
            reverse("admin:claims_verdict_add"),
            {"claim": claim.pk, "author": self.people[who].pk, "summary": "Forged"},
        )
        assert (edit.status_code, forged.status_code) == (403, 403)
        claim.refresh_from_db()
        assert (claim.text, claim.claimant, claim.version, claim.verdicts.count()) == before

    @rule(c=st.integers(0, 2))
    def raw_write_on_published(self, c):
        """Around every service: the database refuses to rewrite a published fact-check."""
        claim = Claim.objects.get(pk=self.claims[c].pk)
        if claim.state != Claim.State.PUBLISHED:
            return
        current = Verdict.objects.get(claim=claim, is_current=True)
        for write in (
            lambda: Claim.objects.filter(pk=claim.pk).update(claimant="Quietly changed"),
            lambda: Verdict.objects.filter(pk=current.pk).update(summary="Quietly changed"),
            lambda: Evidence.objects.filter(claim=claim).update(url="https://swapped.example/"),
        ):
            try:
                with transaction.atomic():
                    changed = write()
            except IntegrityError:
                continue
            assert changed == 0  # only a write that touched no row (no evidence) gets through

    # --- Invariants -------------------------------------------------------------------------------

    @invariant()
    def verdicts_belong_to_their_authors(self):
        ids = [c.pk for c in self.claims]
        for v in Verdict.objects.filter(claim_id__in=ids).exclude(state=Verdict.State.DRAFT):
            # Submitted (or decided) only by its author, decided only by someone else.
            assert v.submitted_by_id == v.author_id
            assert v.decided_by_id != v.author_id
            if v.state in {Verdict.State.APPROVED, Verdict.State.SUPERSEDED}:
                approvers = set(
                    v.votes.filter(decision="approve").values_list("editor_id", flat=True)
                )
                assert approvers and v.author_id not in approvers
        for claim in Claim.objects.filter(pk__in=ids):
            current = Verdict.objects.filter(claim=claim, is_current=True).first()
            if current is not None and current.state in {"draft", "returned"}:
                # Work in progress is the assignee's: never someone else's left behind.
                assert claim.assignee_id == current.author_id

    @invariant()
    def published_content_changes_only_with_a_correction(self):
        for claim in Claim.objects.filter(pk__in=[c.pk for c in self.claims], state="published"):
            verdict = Verdict.objects.get(claim=claim, is_current=True)
            content = (
                claim.text,
                claim.claimant,
                verdict.rating_id,
                verdict.summary,
                verdict.rationale,
                tuple(corrections.sources_on_record(claim).values_list("pk", flat=True)),
            )
            approved = claim.events.filter(transition="approve_correction").count()
            if claim.pk in self.public:
                seen, seen_approved = self.public[claim.pk]
                if content != seen:
                    assert approved > seen_approved
            self.public[claim.pk] = (content, approved)

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
            max_examples=30,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
