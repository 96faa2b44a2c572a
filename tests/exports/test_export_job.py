"""export_create / claims.build_export: queued on commit, progress, a stored file, twice-safe."""

import csv
import io
import time

import pytest

from claims.errors import InvalidInput, PermissionDenied
from claims.exports import services
from claims.exports.tasks import build_export
from claims.models import Claim, Export
from tests.exports.data import verdict_claim


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_export_create_queues_the_job_after_commit(editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        job = services.export_create(user=editor, format="pdf", filters={"rating": "false"})
    assert (job.state, job.format, job.filters) == ("queued", "pdf", {"rating": ["false"]})
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_export_create_refuses_in_words(checker, editor):
    with pytest.raises(PermissionDenied, match="Only editors and the data desk can export"):
        services.export_create(user=checker, format="csv", filters={})
    with pytest.raises(InvalidInput, match="Unknown export format 'xml'"):
        services.export_create(user=editor, format="xml", filters={})
    with pytest.raises(InvalidInput, match="Some filters are not valid"):
        services.export_create(user=editor, format="csv", filters={"state": "later"})
    assert not Export.objects.exists()


@pytest.mark.django_db
def test_build_writes_the_file_reports_progress_and_is_safe_to_rerun(editor, checker, media):
    claims = [verdict_claim(author=checker, decider=editor) for _ in range(4)]
    job = Export.objects.create(requested_by=editor, format="csv", filters={})
    seen = []
    original = services._set

    def spy(export_id, **fields):
        seen.append(fields.get("progress"))
        original(export_id, **fields)

    services._set = spy
    try:
        services.export_build(export_id=job.pk)
    finally:
        services._set = original
    job.refresh_from_db()
    assert job.state == "done" and job.progress == 100 and job.row_count == 4
    assert job.finished_at is not None
    assert seen == [0, 25, 50, 75, 99, 100]  # running, one step per row, done
    with job.file.open("rb") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert sorted(int(r["claim_id"]) for r in rows) == sorted(c.pk for c in claims)
    name = job.file.name
    services.export_build(export_id=job.pk)  # a second delivery changes nothing
    job.refresh_from_db()
    assert job.file.name == name and job.state == "done"
    assert len(list((media / "exports" / str(job.pk)).iterdir())) == 1


@pytest.mark.django_db
def test_build_fails_in_words_when_the_requester_lost_the_right(editor, checker, media):
    job = Export.objects.create(requested_by=checker, format="csv", filters={})
    services.export_build(export_id=job.pk)
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.error == "Only editors and the data desk can export verdicts; checker cannot."
    assert services.export_build(export_id=999999) is None


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_worker_builds_a_queued_export(celery_worker, editor, checker, media, client):
    claims = [verdict_claim(author=checker, decider=editor) for _ in range(3)]
    approved = verdict_claim(author=checker, decider=editor, state=Claim.State.APPROVED)
    job = services.export_create(user=editor, format="claimreview", filters={})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in ("done", "failed"):
            break
        time.sleep(0.2)
    assert job.state == "done", job.error
    assert job.row_count == 3 and job.progress == 100
    client.force_login(editor)
    response = client.get(f"/reports/exports/{job.pk}/download/")
    body = b"".join(response.streaming_content).decode()
    for claim in claims:
        assert claim.text in body
    assert approved.text not in body, "ClaimReview holds published fact-checks only"
    assert build_export.name == "claims.build_export"
