"""Who made each claim: reported speech, quotations, "according to", coreference, organisations.

Rule-based, over the sentences of one article in order. It keeps a register of the people the
article has named so far, so that "Kabulov" is returned as "Zamir Kabulov", and "the official",
"the diplomat" or "he" resolve to the most recent person named. A quotation that runs over several
sentences gives every sentence inside it the claimant attributed before or after it.
"""

from .discourse import attribute
from .register import NONE, Attribution, PersonRegister, claimant_kind

__all__ = ["NONE", "Attribution", "PersonRegister", "attribute", "claimant_kind"]
