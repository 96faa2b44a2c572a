"""A new piece of evidence gets its link checked once the transaction that added it commits."""

from django.dispatch import receiver

from claims.signals import evidence_added

from .tasks import queue_link_check


@receiver(evidence_added, dispatch_uid="claims.evidence.check_new_evidence")
def check_new_evidence(sender, evidence, **kwargs):
    queue_link_check(evidence.pk)  # recorded in the evidence's transaction, sent after commit
