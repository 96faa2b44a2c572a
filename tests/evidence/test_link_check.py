"""The link check against a local web site: every outcome, snapshots, changes and link rot."""

import hashlib

import pytest

from claims.evidence import services
from claims.evidence.selectors import change_sentence, format_date, quote_sentence
from claims.models import Claim, ClaimEvent, Evidence, EvidenceSnapshot
from reviewers.models import Notification
from tests.factories import ClaimFactory, make_evidence
from tests.localsite import Page

pytestmark = pytest.mark.django_db

REPORT = (
    "Exports rose 12% in 2025, the ministry said on Tuesday.\n\n"
    "Officials said the rise was driven by machinery and chemicals. "
    "The figures exclude re-exports, which fell by a third.\n\n"
    "“We expect growth to continue,” the minister told reporters — adding that 2026 looked strong."
)


def check(evidence):
    services.evidence_check_link(evidence_id=evidence.pk)
    evidence.refresh_from_db()
    return evidence


def test_ok_page_is_recorded_with_a_snapshot(site):
    url = site.html("/exports", "Exports report", REPORT)
    evidence = check(make_evidence(url, excerpt='"We expect growth to continue," the minister'))
    assert evidence.link_status == Evidence.LinkStatus.OK
    assert (evidence.http_status, evidence.final_url) == (200, url)
    assert evidence.content_type == "text/html"
    assert evidence.page_title == "Exports report"
    assert evidence.checked_at is not None and evidence.link_detail == ""
    snapshot = evidence.snapshots.get()
    assert "Exports rose 12% in 2025" in snapshot.text
    assert "re-exports, which fell by a third" in snapshot.text
    assert snapshot.raw_sha256 == hashlib.sha256(site.pages["/exports"].body).hexdigest()
    assert snapshot.text_sha256 == hashlib.sha256(snapshot.text.encode()).hexdigest()
    assert snapshot.size == len(site.pages["/exports"].body) and not snapshot.truncated
    assert (snapshot.outcome, snapshot.http_status, snapshot.title) == ("ok", 200, "Exports report")
    assert evidence.quote_status == Evidence.QuoteStatus.FOUND
    assert quote_sentence(evidence) == "quote found"
    assert not evidence.changed_since_cited


def test_quote_not_found_says_when_the_source_was_fetched(site):
    url = site.html("/exports", "Exports report", REPORT)
    evidence = check(make_evidence(url, excerpt="Exports rose 21% in 2025"))
    assert evidence.quote_status == Evidence.QuoteStatus.NOT_FOUND
    assert evidence.quote_checked_at == evidence.checked_at
    assert quote_sentence(evidence) == (
        f"quote not found in the source as fetched on {format_date(evidence.checked_at)}"
    )


def test_checking_twice_changes_nothing_the_second_time(site):
    url = site.html("/exports", "Exports report", REPORT)
    evidence = check(make_evidence(url, excerpt="machinery and chemicals"))
    fields = ["link_status", "http_status", "final_url", "page_title", "quote_status"]
    first = {f: getattr(evidence, f) for f in fields}
    events = ClaimEvent.objects.count()
    evidence = check(evidence)
    assert {f: getattr(evidence, f) for f in fields} == first
    assert evidence.snapshots.count() == 1
    assert not evidence.changed_since_cited
    assert ClaimEvent.objects.count() == events


def test_redirect_chain_is_moved(site):
    final = site.html("/2025/exports", "Exports report", REPORT)
    site.redirect("/exports", "/exports-old", status=301)
    site.redirect("/exports-old", "/2025/exports", status=308)
    evidence = check(make_evidence(site.url("/exports")))
    assert evidence.link_status == Evidence.LinkStatus.MOVED
    assert evidence.final_url == final and evidence.http_status == 200
    assert evidence.link_detail == f"The page moved to {final}."
    assert evidence.snapshots.get().final_url == final


def test_a_trailing_slash_redirect_is_not_a_move(site):
    site.html("/exports/", "Exports report", REPORT)
    site.redirect("/exports", "/exports/", status=301)
    assert check(make_evidence(site.url("/exports"))).link_status == Evidence.LinkStatus.OK


def test_too_many_redirects_is_an_error(site, settings):
    settings.FETCH_MAX_REDIRECTS = 2
    for i in range(4):
        site.redirect(f"/r{i}", f"/r{i + 1}")
    evidence = check(make_evidence(site.url("/r0")))
    assert evidence.link_status == Evidence.LinkStatus.ERROR
    assert "redirected more than 2 times" in evidence.link_detail
    assert not evidence.snapshots.exists()


@pytest.mark.parametrize(
    ("status", "outcome", "words"),
    [
        (404, "gone", "The page is gone: The site answered 404 Not Found"),
        (410, "gone", "The page is gone: The site answered 410 Gone"),
        (403, "blocked", "The site would not show us the page: The site answered 403 Forbidden"),
        (500, "error", "The site answered 500 Internal Server Error"),
    ],
)
def test_error_statuses(site, status, outcome, words):
    site.pages["/page"] = Page(status=status, body=b"<html><title>Oops</title></html>")
    evidence = check(make_evidence(site.url("/page"), excerpt="anything"))
    assert evidence.link_status == outcome and evidence.http_status == status
    assert evidence.link_detail.startswith(words)
    assert not evidence.snapshots.exists()
    assert evidence.quote_status == Evidence.QuoteStatus.PENDING
    assert quote_sentence(evidence) == "quote not checked: no text could be read from the source"


def test_timeout(site, settings):
    settings.FETCH_TIMEOUT_SECONDS = 0.3
    site.pages["/slow"] = Page(body=b"<html>late</html>", delay=3)
    evidence = check(make_evidence(site.url("/slow")))
    assert evidence.link_status == Evidence.LinkStatus.TIMED_OUT
    assert evidence.link_detail.startswith("The site 127.0.0.1 did not answer within 0.3 seconds")
    assert evidence.http_status is None


def test_oversize_page_is_alive_but_not_kept(site, settings):
    settings.FETCH_MAX_BYTES = 10_000
    site.pages["/huge"] = Page(body=b"<p>" + b"a" * 20_000 + b"</p>")
    evidence = check(make_evidence(site.url("/huge")))
    assert evidence.link_status == Evidence.LinkStatus.OK and evidence.http_status == 200
    assert "larger than the 9.76562 KB limit" in evidence.link_detail
    assert evidence.link_detail.endswith("No text snapshot was kept.")
    assert not evidence.snapshots.exists()


def test_wrong_content_type_is_alive_but_not_kept(site):
    site.pages["/data.pdf"] = Page(body=b"%PDF-1.7", content_type="application/pdf")
    evidence = check(make_evidence(site.url("/data.pdf"), excerpt="exports"))
    assert evidence.link_status == Evidence.LinkStatus.OK
    assert evidence.content_type == "application/pdf"
    assert evidence.link_detail.startswith("The link points to a application/pdf file")
    assert not evidence.snapshots.exists()
    assert evidence.quote_status == Evidence.QuoteStatus.PENDING


def test_private_address_is_refused_outside_tests(site, settings):
    site.html("/exports", "Exports report", REPORT)
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = False
    evidence = check(make_evidence(site.url("/exports")))
    assert evidence.link_status == Evidence.LinkStatus.ERROR
    assert "a loopback address (this machine)" in evidence.link_detail
    assert site.requests == []


def test_snapshot_text_is_capped(site, settings):
    settings.EVIDENCE_SNAPSHOT_MAX_CHARS = 100
    url = site.html("/exports", "Exports report", REPORT)
    evidence = check(make_evidence(url))
    snapshot = evidence.snapshots.get()
    assert len(snapshot.text) == 100 and snapshot.truncated
    # The hash is of the whole text, so a change past the cut still shows.
    assert snapshot.text_sha256 != hashlib.sha256(snapshot.text.encode()).hexdigest()
    assert "The snapshot keeps the first 100 characters." in evidence.link_detail


def test_a_page_that_changes_between_checks(site):
    url = site.html("/exports", "Exports report", REPORT)
    evidence = check(make_evidence(url, excerpt="Exports rose 12% in 2025"))
    assert evidence.quote_status == Evidence.QuoteStatus.FOUND
    assert services.evidence_text_changes(evidence_id=evidence.pk) is None

    site.html("/exports", "Exports report", REPORT.replace("rose 12%", "rose 9%"))
    evidence = check(evidence)
    assert evidence.changed_since_cited
    assert change_sentence(evidence) == (
        f"changed since it was cited on {format_date(evidence.created_at)}"
    )
    assert evidence.snapshots.count() == 2
    assert evidence.quote_status == Evidence.QuoteStatus.NOT_FOUND
    change = services.evidence_text_changes(evidence_id=evidence.pk)
    assert change is not None and (change.added, change.removed) == (1, 1)
    lines = change.diff.splitlines()
    assert lines[0].startswith("--- as cited (") and lines[1].startswith("+++ as fetched on ")
    removed = [line for line in lines[2:] if line.startswith("-")]
    added = [line for line in lines[2:] if line.startswith("+")]
    assert len(removed) == len(added) == 1
    assert removed[0].endswith("Exports rose 12% in 2025, the ministry said on Tuesday.")
    assert added[0].endswith("Exports rose 9% in 2025, the ministry said on Tuesday.")
    # The claim page's evidence item shows it (claims_ui's evidence_diff tag).
    from django.template import Context, Template

    html = Template("{% load claims_ui %}{% evidence_diff ev %}").render(Context({"ev": evidence}))
    assert "<summary>What changed: 1 added, 1 removed</summary>" in html
    assert "+Exports rose 9% in 2025" in html and "-Exports rose 12% in 2025" in html
    event = ClaimEvent.objects.get(claim=evidence.claim, transition="evidence_changed")
    assert event.details == {"evidence": evidence.pk, "url": url, "reason": "changed"}
    # Still changed on the next check: recorded once, not again.
    evidence = check(evidence)
    assert evidence.snapshots.count() == 2
    assert ClaimEvent.objects.filter(transition="evidence_changed").count() == 1
    # Changed back: no longer "changed since cited".
    site.html("/exports", "Exports report", REPORT)
    evidence = check(evidence)
    assert not evidence.changed_since_cited and evidence.snapshots.count() == 3
    assert evidence.quote_status == Evidence.QuoteStatus.FOUND


def test_broken_evidence_of_a_published_fact_check_notifies_the_editors(site, editor, editor2):
    url = site.html("/exports", "Exports report", REPORT)
    claim = ClaimFactory(state=Claim.State.PUBLISHED)
    evidence = check(make_evidence(url, claim=claim, title="Ministry exports report"))
    assert not Notification.objects.exists()

    del site.pages["/exports"]  # now a 404
    evidence = check(evidence)
    assert evidence.link_status == Evidence.LinkStatus.GONE
    notes = Notification.objects.filter(kind="evidence_gone")
    assert {n.user for n in notes} == {editor, editor2}
    assert notes.first().claim == claim
    assert notes.first().message.startswith(
        f"Evidence for claim {claim.pk} is broken: Ministry exports report ({url}). "
        "The page is gone: The site answered 404"
    )
    assert ClaimEvent.objects.filter(claim=claim, transition="evidence_broken").count() == 1
    # Gone again on the next check: nobody is told twice.
    check(evidence)
    assert Notification.objects.filter(kind="evidence_gone").count() == 2
    assert ClaimEvent.objects.filter(claim=claim, transition="evidence_broken").count() == 1


def test_changed_evidence_of_a_published_fact_check_notifies_the_editors(site, editor):
    url = site.html("/exports", "Exports report", REPORT)
    claim = ClaimFactory(state=Claim.State.PUBLISHED)
    evidence = check(make_evidence(url, claim=claim))
    site.html("/exports", "Exports report", REPORT + "\n\nCorrection: the rise was 9%.")
    check(evidence)
    note = Notification.objects.get(kind="evidence_changed")
    assert note.user == editor
    assert "changed since it was cited on" in note.message


def test_broken_evidence_of_an_unpublished_claim_is_recorded_without_alerts(site, editor):
    site.pages["/gone"] = Page(status=410)
    evidence = check(make_evidence(site.url("/gone")))
    assert evidence.link_status == Evidence.LinkStatus.GONE
    assert ClaimEvent.objects.filter(transition="evidence_broken").count() == 1
    assert not Notification.objects.exists()


def test_missing_evidence_is_a_no_op():
    assert services.evidence_check_link(evidence_id=987654) is None
    assert not EvidenceSnapshot.objects.exists()


def test_adding_evidence_schedules_its_check_after_commit(
    editor, django_capture_on_commit_callbacks
):
    from unittest import mock

    from claims import services as claim_services
    from jobs import leases
    from jobs.models import Job

    claim = ClaimFactory()
    # The patch is outermost, so that it is still in place when the callbacks run.
    with mock.patch.object(leases, "send", return_value=True) as send:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            evidence = claim_services.evidence_add(
                claim_id=claim.pk, actor=editor, url="https://example.org/report"
            )
            send.assert_not_called()  # nothing is sent before the transaction commits
        assert len(callbacks) == 1
        send.assert_called_once_with("claims.check_evidence_link", [evidence.pk])
    # The job is recorded with the evidence (the outbox), for the sweeper if the send is lost.
    job = Job.objects.get(task="claims.check_evidence_link", key=str(evidence.pk))
    assert job.state == Job.State.QUEUED


@pytest.mark.django_db(transaction=True)
def test_two_checks_at_once_keep_one_snapshot(site):
    """Both fetch at the same time; the row lock makes the second see the first's snapshot."""
    import threading

    from django.db import connection

    site.html("/exports", "Exports report", REPORT)
    site.pages["/exports"].delay = 0.3  # both requests are in flight together
    evidence = make_evidence(site.url("/exports"), excerpt="machinery and chemicals")
    errors = []

    def run():
        try:
            services.evidence_check_link(evidence_id=evidence.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(site.requests) == 2
    evidence.refresh_from_db()
    assert evidence.snapshots.count() == 1
    assert evidence.link_status == "ok" and evidence.quote_status == "found"
