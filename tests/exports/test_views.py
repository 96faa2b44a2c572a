"""GET /reports/export/: who may export what, streaming, background jobs, errors in words."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from claims.exports import services
from claims.models import Claim, Export
from tests.exports.data import verdict_claim
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/reports/export/"


@pytest.fixture
def data_desk(db):
    """Not an editor, but allowed to export (a data journalist)."""
    user = UserFactory(username="datadesk")
    user.user_permissions.add(Permission.objects.get(codename="export_verdicts"))
    return user


@pytest.fixture
def claims(editor, checker):
    return {
        "published": verdict_claim(author=checker, decider=editor),
        "approved": verdict_claim(author=checker, decider=editor, state=Claim.State.APPROVED),
        "submitted": verdict_claim(author=checker, decider=editor, state=Claim.State.SUBMITTED),
    }


def streamed(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8-sig")


def ids_in_csv(text: str) -> list[int]:
    return sorted(int(r["claim_id"]) for r in csv.DictReader(io.StringIO(text)))


def test_urls_are_where_the_dashboard_points():
    assert reverse("exports:export") == URL
    assert reverse("exports:status", args=[3]) == "/reports/exports/3/"
    assert reverse("exports:import") == "/reports/import/"
    assert reverse("public:fact_check", args=[3]) == "/fact-checks/3/"


def test_editor_streams_approved_and_published_verdicts_by_default(client, editor, claims):
    client.force_login(editor)
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="verdicts-approved-published-'
    )
    assert ids_in_csv(streamed(response)) == sorted([claims["approved"].pk, claims["published"].pk])


def test_other_states_are_an_explicit_choice_named_in_the_file_and_title(client, editor, claims):
    client.force_login(editor)
    response = client.get(URL, {"format": "csv", "state": ["submitted"]})
    assert response["Content-Disposition"].startswith('attachment; filename="claims-submitted-')
    assert ids_in_csv(streamed(response)) == [claims["submitted"].pk]
    response = client.get(URL, {"format": "json", "state": ["submitted", "approved"]})
    assert response["Content-Disposition"].startswith(
        'attachment; filename="claims-submitted-approved-'
    )
    body = json.loads(b"".join(response.streaming_content))
    assert body["title"] == "Submitted and approved claims"
    assert sorted(c["id"] for c in body["claims"]) == sorted(
        [claims["submitted"].pk, claims["approved"].pk]
    )
    response = client.get(URL, {"format": "json"})
    assert json.loads(b"".join(response.streaming_content))["title"] == (
        "Approved and published verdicts"
    )


def test_claimreview_holds_published_fact_checks_only_whatever_the_filter(client, editor, claims):
    client.force_login(editor)
    for query in ({}, {"state": ["submitted", "approved", "published"]}, {"state": "approved"}):
        response = client.get(URL, {"format": "claimreview", **query})
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith(
            'attachment; filename="fact-checks-published-'
        )
        graph = json.loads(b"".join(response.streaming_content))["@graph"]
        expected = [claims["published"].pk] if query.get("state") != "approved" else []
        assert [g["url"].rstrip("/").rsplit("/", 1)[-1] for g in graph] == [
            str(pk) for pk in expected
        ]


def test_data_desk_gets_approved_and_published_verdicts_only(client, data_desk, claims):
    client.force_login(data_desk)
    response = client.get(URL, {"format": "csv", "state": ["submitted", "approved"]})
    assert ids_in_csv(streamed(response)) == [claims["approved"].pk]
    response = client.get(URL, {"format": "jsonl"})
    lines = streamed(response).splitlines()
    assert sorted(json.loads(x)["id"] for x in lines) == sorted(
        [claims["approved"].pk, claims["published"].pk]
    )


def test_fact_checker_is_refused(client, checker, claims):
    client.force_login(checker)
    for url in (URL + "?format=csv", "/reports/exports/", "/reports/import/"):
        response = client.get(url)
        assert response.status_code == 403, url
    assert "Only editors" in client.get(URL + "?format=csv").content.decode()


def test_anonymous_is_sent_to_log_in(client, claims):
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_bad_format_and_bad_filters_are_explained(client, editor, claims):
    client.force_login(editor)
    response = client.get(URL, {"format": "xlsx"})
    assert response.status_code == 400
    assert "Unknown export format &#x27;xlsx&#x27;: choose one of csv, json" in (
        response.content.decode()
    )
    response = client.get(URL, {"format": "csv", "state": "nonsense", "created_after": "soon"})
    assert response.status_code == 400
    assert "Some filters are not valid" in response.content.decode()


@pytest.mark.parametrize(
    ("format_name", "content_type"),
    [
        ("json", "application/json"),
        ("claimreview", "application/ld+json"),
        ("pdf", "application/pdf"),
    ],
)
def test_every_format_downloads(client, editor, claims, format_name, content_type):
    client.force_login(editor)
    response = client.get(URL, {"format": format_name})
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    body = b"".join(response.streaming_content)
    if format_name == "pdf":
        assert body.startswith(b"%PDF")
    else:
        assert json.loads(body)


def test_large_export_goes_to_the_background(
    client, editor, claims, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "STREAM_MAX_ROWS", 2)
    client.force_login(editor)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(
            URL, {"format": "csv", "topic": [], "state": ["approved", "published", "submitted"]}
        )
    job = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/exports/{job.pk}/"
    assert (job.format, job.state, job.requested_by) == ("csv", "queued", editor)
    assert job.filters == {"state": ["approved", "published", "submitted"]}
    assert len(callbacks) == 1  # build_export queued once the row is committed
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'hx-trigger="every 1s"' in page.content.decode()
    assert "Queued… 0%" in page.content.decode()


def test_status_fragment_and_download_of_a_finished_export(
    client, editor, claims, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    job = Export.objects.create(requested_by=editor, format="csv", filters={"state": ["approved"]})
    services.export_build(export_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.progress, job.row_count) == ("done", 100, 1)
    client.force_login(editor)
    fragment = client.get(f"/reports/exports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment  # finished: polling stops
    assert f"/reports/exports/{job.pk}/download/" in fragment
    response = client.get(f"/reports/exports/{job.pk}/download/")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert ids_in_csv(text) == [claims["approved"].pk]


def test_other_people_cannot_see_an_export(client, editor, data_desk, claims):
    job = Export.objects.create(requested_by=editor, format="csv")
    client.force_login(data_desk)
    assert client.get(f"/reports/exports/{job.pk}/").status_code == 404
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 404


def test_download_before_done_is_refused_in_words(client, editor):
    job = Export.objects.create(requested_by=editor, format="pdf")
    client.force_login(editor)
    response = client.get(f"/reports/exports/{job.pk}/download/")
    assert response.status_code == 409
    assert "not ready yet" in response.content.decode()


def test_reports_page_keeps_the_filters_on_its_buttons(client, editor, claims):
    client.force_login(editor)
    page = client.get(
        "/reports/exports/", {"rating": "false", "state": "published"}
    ).content.decode()
    assert "/reports/export/?format=pdf&amp;rating=false&amp;state=published" in page
    assert "Rating: False" in page


def test_pdf_past_its_limit_is_refused_in_words(client, editor, claims, monkeypatch, tmp_path):
    monkeypatch.setattr(services, "PDF_MAX_ROWS", 1)
    client.force_login(editor)
    response = client.get(URL, {"format": "pdf"})
    assert response.status_code == 400
    assert "A PDF report holds at most 1 claims and these filters match 2" in (
        response.content.decode()
    )
    assert not Export.objects.exists()
    job = Export.objects.create(requested_by=editor, format="pdf")
    services.export_build(export_id=job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and job.error.startswith("A PDF report holds at most 1 claims")


def test_a_capped_claimreview_export_still_holds_published_only(editor, claims):
    queryset = services.export_queryset(user=editor, filters={"state": ["approved", "published"]})[
        :5
    ]
    text = "".join(services.text_chunks("claimreview", queryset))
    graph = json.loads(text)["@graph"]
    assert [g["claimReviewed"] for g in graph] == [claims["published"].text]
