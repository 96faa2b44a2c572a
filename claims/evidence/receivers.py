"""A new piece of evidence gets its link checked once the transaction that added it commits."""

from django.db import transaction
from django.dispatch import receiver

from claims.signals import evidence_added

from .tasks import check_evidence_link


@receiver(evidence_added, dispatch_uid="claims.evidence.check_new_evidence")
def check_new_evidence(sender, evidence, **kwargs):
    evidence_id = evidence.pk
    transaction.on_commit(lambda: check_evidence_link.delay(evidence_id))
