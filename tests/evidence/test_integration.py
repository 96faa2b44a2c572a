"""End to end with a real Celery worker on the configured broker, against a local web site."""

import pytest

from claims import services
from claims.evidence.tasks import recheck_evidence_links
from claims.models import Evidence
from tests.factories import ClaimFactory
from tests.waiting import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_new_evidence_is_checked_by_the_worker(celery_worker, site, editor):
    url = site.html(
        "/statement", "Ministry statement", "Exports rose 12% in 2025, the ministry said."
    )
    claim = ClaimFactory()
    evidence = services.evidence_add(
        claim_id=claim.pk,
        actor=editor,
        url=url,
        stance="refutes",
        excerpt="“Exports rose 12%  in 2025”",
    )
    assert evidence.link_status == Evidence.LinkStatus.UNCHECKED
    assert wait_for(lambda: Evidence.objects.get(pk=evidence.pk).checked_at is not None)
    evidence.refresh_from_db()
    assert evidence.link_status == Evidence.LinkStatus.OK and evidence.http_status == 200
    assert evidence.page_title == "Ministry statement"
    assert evidence.quote_status == Evidence.QuoteStatus.FOUND
    assert evidence.snapshots.count() == 1
    assert [path for _, path, _ in site.requests] == ["/statement"]


def test_recheck_from_beat_checks_what_is_due(celery_worker, site):
    claim = ClaimFactory()
    site.pages.clear()
    urls = [site.html(f"/p{i}", f"Page {i}", f"Text number {i}.") for i in range(3)]
    items = [Evidence.objects.create(claim=claim, url=u) for u in urls[:2]]
    items.append(Evidence.objects.create(claim=claim, url=site.url("/missing")))
    recheck_evidence_links.delay()
    assert wait_for(lambda: not Evidence.objects.filter(checked_at__isnull=True).exists())
    statuses = dict(Evidence.objects.values_list("url", "link_status"))
    assert statuses == {urls[0]: "ok", urls[1]: "ok", site.url("/missing"): "gone"}
