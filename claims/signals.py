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
