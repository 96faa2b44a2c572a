"""The assignment lifecycle table answers only transitions the claim workflow has."""

from claims.workflow import TRANSITIONS
from reviewers.lifecycle import LIFECYCLE
from reviewers.models import Assignment


def test_every_lifecycle_step_follows_a_real_claim_transition():
    assert set(LIFECYCLE) - set(TRANSITIONS) == set()


def test_every_final_state_is_reached_and_only_assign_steps_start_one():
    ends = {step.ends_as for step in LIFECYCLE.values() if step.ends_as}
    assert ends == set(Assignment.State.values) - {Assignment.State.ACTIVE}
    assert {name for name, step in LIFECYCLE.items() if step.starts} == {"assign", "reassign"}
