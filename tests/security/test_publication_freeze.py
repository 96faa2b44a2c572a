"""Issue #11, reproduction 3 and the rule behind it: a published fact-check is frozen.

Its text, claimant, rating, verdict and sources change only through an approved correction, and a
correction's added or withdrawn sources show, dated, on the public page. Adding evidence outside a
correction is refused at every door; writes that go around the services are refused by the
database.
"""

import json

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from claims import corrections, services, workflow
from claims.errors import TransitionNotAllowed
from claims.models import Claim, Evidence, Verdict
from tests.factories import claim_in, rating

from .conftest import api, dashboard, detail, fresh, messages_of, post_action

pytestmark = pytest.mark.django_db
S = Claim.State
SNEAKED = "https://sneaked.example/after-publication"


def public_views(claim) -> dict[str, str]:
    """What readers and aggregators see: the page, its JSON-LD, the DataFeed and the RSS feed."""
    from django.test import Client

    reader = Client()
    page = reader.get(reverse("public:fact_check", args=[claim.pk]))
    assert page.status_code == 200
    feed = json.loads(reader.get(reverse("public:feed_jsonld")).content)
    feed.pop("dateModified")  # the feed's own timestamp: now
    return {"page": page.content.decode(), "feed": json.dumps(feed)}


def _refused_everywhere(claim, views_before):
    assert not Evidence.objects.filter(claim=claim, url=SNEAKED).exists()
    assert public_views(claim) == views_before


def test_reproduction_3_evidence_after_publication_over_the_api(published, editor, checker):
    before = public_views(published)
    version = published.version
    for person in (checker, editor):  # the assignee, and an editor
        response = api(person).post(
            f"/api/v1/claims/{published.pk}/evidence/", {"url": SNEAKED, "title": "Late source"}
        )
        assert response.status_code == 409
        assert response.json()["code"] == "transition_not_allowed"
        assert detail(response).startswith("This fact-check is published: its sources change only")
    _refused_everywhere(published, before)
    assert fresh(published).version == version


def test_evidence_after_publication_on_the_dashboard(published, editor):
    before = public_views(published)
    page = dashboard(editor).get(reverse("claims:claim", args=[published.pk]))
    assert page.context["forms"]["evidence"] is None  # no form offered...
    response = post_action(  # ...and a hand-made POST is refused with the reason
        dashboard(editor), published, "evidence", {"url": SNEAKED, "stance": "supports"}
    )
    assert response.status_code == 409
    assert any("its sources change only through a correction" in m for m in messages_of(response))
    _refused_everywhere(published, before)


def test_evidence_after_publication_from_a_script(published, editor):
    """Commands and jobs call the same service: refused there too."""
    with pytest.raises(TransitionNotAllowed, match="change only through a correction"):
        services.evidence_add(claim_id=published.pk, actor=editor, url=SNEAKED)
    assert not Evidence.objects.filter(url=SNEAKED).exists()


def _propose(claim, editor, **changes):
    current = Verdict.objects.get(claim=claim, is_current=True)
    return corrections.correction_propose(
        claim_id=claim.pk,
        actor=editor,
        rating_id=current.rating_id,
        summary=current.summary,
        rationale=current.rationale,
        note="Sources updated.",
        **changes,
    )


def test_a_correction_adds_and_withdraws_sources_shown_dated(editor, editor2, checker):
    claim = claim_in(S.APPROVED, editor=editor, checker=checker)
    cited = services.evidence_add(
        claim_id=claim.pk, actor=editor, url="https://cited.example/a", title="First"
    )
    workflow.claim_publish(claim_id=claim.pk, actor=editor)
    before = public_views(claim)
    assert "cited.example" in before["page"]

    version = fresh(claim).version
    desk = api(editor2)
    proposed = desk.post(
        f"/api/v1/claims/{claim.pk}/correct/",
        {
            "rating": Verdict.objects.get(claim=claim, is_current=True).rating_id,
            "summary": "Not so.",
            "note": "A better source replaces the first.",
            "add_evidence": [{"url": "https://better.example/b", "title": "Better source"}],
            "withdraw_evidence": [cited.pk],
        },
    )
    assert proposed.status_code == 200, proposed.json()
    claim = fresh(claim)
    assert claim.version == version + 1
    event = claim.events.first()
    assert event.transition == "correct"
    assert event.details["add_evidence"][0]["url"] == "https://better.example/b"
    assert event.details["withdraw_evidence"] == [
        {"evidence": cited.pk, "url": "https://cited.example/a"}
    ]
    # Waiting for a second editor: readers see nothing new yet.
    pending = public_views(claim)
    assert "better.example" not in pending["page"] and "better.example" not in pending["feed"]
    assert "cited.example" in pending["page"] and "cited.example" in pending["feed"]

    refused = desk.post(f"/api/v1/claims/{claim.pk}/approve-correction/", {})
    assert refused.status_code == 403
    assert api(editor).post(f"/api/v1/claims/{claim.pk}/approve-correction/", {}).status_code == 200
    claim = fresh(claim)
    assert claim.events.first().transition == "approve_correction"
    assert claim.version == version + 2
    after = public_views(claim)
    assert "Sources added" in after["page"] and "Better source" in after["page"]
    assert "Sources withdrawn" in after["page"]
    feed = json.loads(after["feed"])
    review = next(r for r in feed["dataFeedElement"] if r["url"].endswith(f"/{claim.pk}/"))
    cited_urls = json.dumps(review.get("citation", []))
    assert "better.example" in cited_urls and "cited.example" not in cited_urls
    # Withdrawn is not deleted: the source stays in the record, marked.
    cited.refresh_from_db()
    assert cited.withdrawn_by_id is not None


def test_a_returned_correction_changes_no_source(published, editor, editor2):
    cited = Evidence.objects.create(claim=published, url="https://cited.example/a", title="First")
    _propose(
        published,
        editor2,
        add_evidence=[{"url": "https://rejected.example/x"}],
        withdraw_evidence=[cited.pk],
    )
    corrections.correction_return(claim_id=published.pk, actor=editor, note="Keep the first.")
    cited.refresh_from_db()
    assert cited.withdrawn_by_id is None
    views = public_views(published)
    assert "rejected.example" not in views["page"] and "rejected.example" not in views["feed"]
    assert "cited.example" in views["page"]
    assert published.events.filter(transition="return_correction").get().details[
        "kept_evidence"
    ] == [cited.pk]


def test_a_correction_withdraws_only_sources_on_the_record(published, editor, editor2):
    from claims.errors import InvalidInput

    elsewhere = Evidence.objects.create(
        claim=Claim.objects.exclude(pk=published.pk).first() or published,
        url="https://other.example/",
    )
    with pytest.raises(InvalidInput, match="not on this fact-check's record"):
        _propose(published, editor2, withdraw_evidence=[elsewhere.pk + 1000])
    with pytest.raises(InvalidInput, match="changes nothing"):
        _propose(published, editor2)
    with pytest.raises(InvalidInput, match="Only http:// and https://"):
        _propose(published, editor2, add_evidence=[{"url": "javascript:alert(1)"}])
    assert not published.verdicts.filter(correction_of__isnull=False).exists()


# --- Around the services: the database refuses -------------------------------------------------


def test_the_database_freezes_a_published_claims_public_fields(published):
    for change in ({"text": "Quietly rewritten."}, {"claimant": "Someone else"}):
        frozen = pytest.raises(IntegrityError, match="only through an approved correction")
        with frozen, transaction.atomic():
            Claim.objects.filter(pk=published.pk).update(**change)
    claim = fresh(published)
    claim.claimant = "Someone else"
    with pytest.raises(IntegrityError), transaction.atomic():
        claim.save()  # a script's or an old admin's save(): no version bump, refused
    with pytest.raises(IntegrityError, match="stays published"), transaction.atomic():
        Claim.objects.filter(pk=published.pk).update(state=S.APPROVED)
    after = fresh(published)
    assert (after.text, after.claimant, after.state) == (
        published.text,
        published.claimant,
        S.PUBLISHED,
    )
    # What is not public (the similar-claims count, a deadline) still updates.
    Claim.objects.filter(pk=published.pk).update(repeat_count=3)


def test_the_database_freezes_a_published_verdict_and_its_sources(published):
    verdict = Verdict.objects.get(claim=published, is_current=True)
    with pytest.raises(IntegrityError, match="text never changes"), transaction.atomic():
        Verdict.objects.filter(pk=verdict.pk).update(summary="Quietly softened.")
    with pytest.raises(IntegrityError, match="text never changes"), transaction.atomic():
        Verdict.objects.filter(pk=verdict.pk).update(rating=rating("true"))
    source = Evidence.objects.create(claim=published, url="https://cited.example/a")
    with pytest.raises(IntegrityError, match="not edited in place"), transaction.atomic():
        Evidence.objects.filter(pk=source.pk).update(url="https://swapped.example/")
    # The link checker still records what it finds.
    Evidence.objects.filter(pk=source.pk).update(link_status=Evidence.LinkStatus.GONE)
    verdict.refresh_from_db()
    assert verdict.summary == "Not so."
