"""The archiver against a local fake that speaks the "Save Page Now" protocol."""

import pytest

from claims.evidence import archive, services
from claims.evidence.tasks import archive_evidence
from tests.factories import make_evidence
from tests.localsite import LocalSite, Page

pytestmark = pytest.mark.django_db

TIMESTAMP = "20260301120000"


@pytest.fixture
def wayback(settings, site):
    """A fake web archive: GET /save/<url> answers with the copy's path in Content-Location."""
    fake = LocalSite().start()
    fake.handlers["/save/"] = lambda path: Page(
        status=200,
        body=b"<html>Saved</html>",
        headers={"Content-Location": f"/web/{TIMESTAMP}/{path.removeprefix('/save/')}"},
    )
    settings.ARCHIVE_ENABLED = True
    settings.ARCHIVE_ENDPOINT = fake.base
    yield fake
    fake.stop()


def test_archive_success(site, wayback):
    url = site.html("/exports", "Exports", "Exports rose 12% in 2025.")
    evidence = make_evidence(url)
    archived = services.evidence_archive(evidence_id=evidence.pk)
    assert archived == f"{wayback.base}/web/{TIMESTAMP}/{url}"
    evidence.refresh_from_db()
    assert evidence.archive_url == archived and evidence.archived_at is not None
    assert evidence.archive_detail == ""
    assert [(m, p) for m, p, _ in wayback.requests] == [("GET", f"/save/{url}")]
    # Archived already: the archive is not asked again.
    assert services.evidence_archive(evidence_id=evidence.pk) == archived
    assert len(wayback.requests) == 1


def test_archive_that_redirects_to_the_copy(site, wayback):
    url = site.html("/exports", "Exports", "text")
    copy = f"https://archive.example/web/{TIMESTAMP}/{url}"
    wayback.pages[f"/save/{url}"] = Page(status=302, headers={"Location": copy})
    evidence = make_evidence(url)
    assert services.evidence_archive(evidence_id=evidence.pk) == copy


@pytest.mark.parametrize(
    ("page", "error", "message"),
    [
        (
            Page(status=403, body=b"excluded"),
            archive.ArchiveError,
            "The web archive (127.0.0.1) did not save the page: it answered 403.",
        ),
        (
            Page(status=429),
            archive.ArchiveUnavailable,
            "The web archive (127.0.0.1) did not save the page: it answered 429. "
            "It will be tried again later.",
        ),
        (
            Page(status=200, body=b"<html>ok?</html>"),
            archive.ArchiveError,
            "The web archive (127.0.0.1) answered 200 but did not say where it saved the page "
            "(no Content-Location or Location header).",
        ),
        (
            Page(status=200, headers={"Content-Location": "javascript:alert(1)"}),
            archive.ArchiveError,
            "The web archive (127.0.0.1) gave an address that is not a web page: javascript:",
        ),
    ],
)
def test_archive_failures_are_recorded(site, wayback, page, error, message):
    url = site.url("/exports")
    wayback.pages[f"/save/{url}"] = page
    evidence = make_evidence(url)
    with pytest.raises(error) as caught:
        services.evidence_archive(evidence_id=evidence.pk)
    assert str(caught.value).startswith(message)
    evidence.refresh_from_db()
    assert evidence.archive_url == "" and evidence.archive_detail.startswith(message)


def test_archive_down_is_worth_another_try(site, settings):
    settings.ARCHIVE_ENABLED = True
    down = LocalSite()  # bound but never serving: connection refused once stopped
    settings.ARCHIVE_ENDPOINT = down.base
    down.server.server_close()
    evidence = make_evidence(site.url("/exports"))
    with pytest.raises(archive.ArchiveUnavailable, match="could not be reached"):
        services.evidence_archive(evidence_id=evidence.pk)


def test_archiving_is_off_by_default(site, settings):
    assert settings.ARCHIVE_ENABLED is False
    evidence = make_evidence(site.html("/exports", "Exports", "text"))
    assert services.evidence_archive(evidence_id=evidence.pk) == ""


def test_a_working_link_is_archived_after_the_check(
    site, wayback, django_capture_on_commit_callbacks
):
    url = site.html("/exports", "Exports", "Exports rose 12% in 2025.")
    site.pages["/gone"] = Page(status=404)
    working, gone = make_evidence(url), make_evidence(site.url("/gone"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.evidence_check_link(evidence_id=gone.pk)
    assert callbacks == []  # a dead page is not archived
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.evidence_check_link(evidence_id=working.pk)
    assert len(callbacks) == 1
    archive_evidence(working.pk)  # the task's body, called directly
    working.refresh_from_db()
    assert working.archive_url == f"{wayback.base}/web/{TIMESTAMP}/{url}"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.evidence_check_link(evidence_id=working.pk)
    assert callbacks == []  # archived already


def test_archive_task_gives_up_quietly_on_a_refusal(site, wayback):
    url = site.url("/exports")
    wayback.pages[f"/save/{url}"] = Page(status=403)
    evidence = make_evidence(url)
    archive_evidence(evidence.pk)  # no exception: a refusal is recorded, not retried
    evidence.refresh_from_db()
    assert "answered 403" in evidence.archive_detail
    wayback.pages[f"/save/{url}"] = Page(status=503)
    with pytest.raises(archive.ArchiveUnavailable):  # a busy archive is tried again
        archive_evidence(evidence.pk)
