"""Events that claims announces. Other apps (reviewers) listen; claims never imports them."""

from django.dispatch import Signal

# Sent inside the transaction of every workflow transition, after the ClaimEvent is written.
# kwargs: claim, transition, actor (None = the scheduler), from_state, to_state, details.
claim_transitioned = Signal()

# Sent inside the transaction that files an article's claims.
# kwargs: article, claims (the newly filed Claim objects).
claims_filed = Signal()

# Sent inside the transaction that adds a piece of evidence. kwargs: evidence.
evidence_added = Signal()

# Sent inside the transaction of a link check when evidence behind a published fact-check breaks
# (the page is gone or fails) or its text changes from the version that was cited.
# kwargs: evidence, claim, reason ("gone" | "error" | "changed"), message (a sentence for editors).
evidence_broken = Signal()

# Sent inside the transaction of an assignment or reassignment, before it is made; a receiver
# refuses it by raising claims.errors.InvalidInput with a sentence (reviewers: the assignment
# policy), or returns a dict of details to record in the ClaimEvent (an override).
# kwargs: claim, assignee, actor (None = the scheduler), reason, assign_anyway (an editor's
# explicit override of the policy; `reason` then says why), batch (None, or one dict shared by
# the claims of one `workflow.claim_assign_many`, which writes them all after asking: a receiver
# keeps there what it admitted so far, e.g. each reviewer's added load).
claim_assigning = Signal()
