"""ClaimReview import: every shape, ratings by name, idempotent, URLs checked, errors in words."""

import http.server
import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from claims.errors import InvalidInput
from claims.importers.claimreview import (
    fetch_url,
    import_claimreview,
    normalise_rating_name,
)
from claims.models import PastFactCheck
from tests.factories import rating

pytestmark = pytest.mark.django_db


def review(url="https://other.example.org/fc/1", claim="The moon is cheese.", verdict="False"):
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim,
        "author": {"@type": "Organization", "name": "Other Desk"},
        "datePublished": "2024-03-05",
        "inLanguage": "en",
        "reviewRating": {"@type": "Rating", "alternateName": verdict},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "A. Politician"},
            "datePublished": "2024-03-01T10:00:00Z",
            "appearance": {"@type": "CreativeWork", "url": "https://paper.example.com/a"},
        },
    }


API_ANSWER = {
    "claims": [
        {
            "text": "Wind turbines cause cancer.",
            "claimant": "Blogger",
            "claimDate": "2023-01-02T00:00:00Z",
            "claimReview": [
                {
                    "publisher": {"name": "Desk One", "site": "one.example"},
                    "url": "https://one.example/wind",
                    "title": "No, wind turbines do not cause cancer",
                    "reviewDate": "2023-01-05T00:00:00Z",
                    "textualRating": "Pants on Fire",
                    "languageCode": "en",
                },
                {
                    "publisher": {"site": "two.example"},
                    "url": "https://two.example/turbines",
                    "textualRating": "mostly   FALSE",
                    "languageCode": "de",
                },
            ],
        }
    ],
    "nextPageToken": "abc",
}


def test_bare_review_is_imported_with_everything():
    result = import_claimreview(document=review())
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    past = PastFactCheck.objects.get()
    assert past.claim_reviewed == "The moon is cheese."
    assert past.claimant == "A. Politician"
    assert past.publisher == "Other Desk"
    assert past.url == "https://other.example.org/fc/1"
    assert past.rating == rating("false") and past.rating_text == "False"
    assert past.language == "en"
    assert past.date_published.isoformat() == "2024-03-05T00:00:00+00:00"
    assert past.claim_date.isoformat() == "2024-03-01T10:00:00+00:00"
    assert past.appearance_url == "https://paper.example.com/a"
    assert past.source["claimReviewed"] == "The moon is cheese."


@pytest.mark.parametrize(
    "wrap",
    [
        lambda items: items,  # a list
        lambda items: {"@context": "https://schema.org", "@graph": items},
        lambda items: {
            "@context": "http://schema.org",
            "@type": "DataFeed",
            "dataFeedElement": items,
        },
        lambda items: {
            "@type": "DataFeed",
            "dataFeedElement": [{"@type": "DataFeedItem", "item": i} for i in items],
        },
    ],
    ids=["list", "graph", "datafeed", "datafeed-items"],
)
def test_every_container_shape(wrap):
    items = [review(url=f"https://other.example.org/fc/{i}", claim=f"Claim {i}") for i in range(3)]
    items[1]["@type"] = ["schema:ClaimReview"]
    items[2]["@type"] = "http://schema.org/ClaimReview"
    result = import_claimreview(document=wrap(items))
    assert result.created == 3
    assert sorted(PastFactCheck.objects.values_list("claim_reviewed", flat=True)) == [
        "Claim 0",
        "Claim 1",
        "Claim 2",
    ]


def test_fact_check_tools_api_shape_and_rating_names():
    result = import_claimreview(document=API_ANSWER)
    assert result.created == 2
    one = PastFactCheck.objects.get(url="https://one.example/wind")
    assert one.claimant == "Blogger" and one.publisher == "Desk One"
    assert one.rating is None and one.rating_text == "Pants on Fire"  # unknown: kept as text
    assert one.date_published.year == 2023 and one.claim_date.day == 2
    two = PastFactCheck.objects.get(url="https://two.example/turbines")
    assert two.publisher == "two.example" and two.language == "de"
    assert two.rating == rating("mostly-false")  # case and spacing ignored
    assert result.unmapped_ratings == {"Pants on Fire"}
    assert "Ratings kept as text (not on our scale): Pants on Fire." in result.summary()


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("FALSE", "false"),
        ("Mostly-True", "mostly-true"),
        (" half_true ", "half-true"),
        ("Missing Context.", "missing-context"),
        ("unverifiable", "unverifiable"),
    ],
)
def test_rating_names_map_onto_our_scale(name, slug):
    import_claimreview(document=review(verdict=name))
    assert PastFactCheck.objects.get().rating == rating(slug)
    assert normalise_rating_name(name) == normalise_rating_name(rating(slug).label)


def test_import_is_idempotent_and_updates_changes():
    document = [review(), review(url="https://other.example.org/fc/2", claim="Second.")]
    assert import_claimreview(document=document).created == 2
    again = import_claimreview(document=document)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    document[0]["reviewRating"]["alternateName"] = "Mostly false"
    changed = import_claimreview(document=document)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert PastFactCheck.objects.count() == 2
    assert PastFactCheck.objects.get(url="https://other.example.org/fc/1").rating == rating(
        "mostly-false"
    )


def test_bad_records_are_skipped_with_reasons():
    bad_scheme = review(url="javascript:alert(1)", claim="Bad scheme")
    no_claim = review(claim="")
    no_url = review(url="")
    result = import_claimreview(document=[bad_scheme, no_claim, no_url, review()])
    assert result.created == 1
    assert result.skipped == [
        "the review of 'Bad scheme' has a url that is not http/https: javascript:alert(1)",
        "a review at https://other.example.org/fc/1 has no claimReviewed",
        "the review of 'The moon is cheese.' has no url",
    ]
    ftp = review()
    ftp["itemReviewed"]["appearance"]["url"] = "ftp://paper.example.com/a"
    import_claimreview(document=ftp)
    assert PastFactCheck.objects.get().appearance_url == ""  # dropped, not stored


def test_documents_without_claimreview_are_refused():
    with pytest.raises(InvalidInput, match="No ClaimReview found"):
        import_claimreview(document={"@type": "NewsArticle", "headline": "x"})


def test_command_reads_a_file_and_reports(tmp_path, capsys):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(API_ANSWER), encoding="utf-8")
    call_command("import_claimreview", str(path))
    assert "2 fact-check(s) read: 2 new, 0 updated, 0 unchanged, 0 skipped." in (
        capsys.readouterr().out
    )
    call_command("import_claimreview", str(path))
    assert "0 new, 0 updated, 2 unchanged" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "The file is not valid JSON (line 1, column 2"),
        (b"\xff\xfe\x00", "The file is not UTF-8 text"),
        (b"[]", "No ClaimReview found"),
    ],
)
def test_command_explains_bad_files(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("import_claimreview", str(path))


def test_command_refuses_missing_files_and_other_schemes(tmp_path):
    with pytest.raises(CommandError, match="There is no file at"):
        call_command("import_claimreview", str(tmp_path / "nope.json"))
    with pytest.raises(CommandError, match="Only http:// and https:// addresses"):
        call_command("import_claimreview", "file:///etc/passwd")


@pytest.fixture
def local_server():
    pages = {"/feed.json": json.dumps([review()]).encode(), "/big.json": b"[" + b" " * 4096 + b"]"}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            if self.path == "/moved":
                self.send_response(302)
                self.send_header("Location", "/feed.json")
                self.end_headers()
                return
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/ld+json")
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_command_fetches_a_url(local_server, settings, capsys):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = True
    call_command("import_claimreview", f"{local_server}/moved")
    assert "1 new" in capsys.readouterr().out
    assert PastFactCheck.objects.get().url == "https://other.example.org/fc/1"
    with pytest.raises(CommandError, match="The site answered 404 Not Found"):
        call_command("import_claimreview", f"{local_server}/missing.json")


def test_fetch_refuses_private_addresses_and_caps_size(local_server, settings, monkeypatch):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(InvalidInput, match="a loopback address"):
        fetch_url(f"{local_server}/feed.json")
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = True
    from claims.importers import claimreview

    monkeypatch.setattr(claimreview, "MAX_BYTES", 1024)
    with pytest.raises(InvalidInput, match="is larger than the 1 KB limit"):
        fetch_url(f"{local_server}/big.json")


def test_upload_form(client, editor, checker, tmp_path):
    client.force_login(checker)
    assert client.get("/reports/import/").status_code == 403
    client.force_login(editor)
    page = client.get("/reports/import/")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    path = tmp_path / "reviews.jsonld"
    path.write_text(json.dumps({"@graph": [review()]}))
    with path.open("rb") as handle:
        response = client.post("/reports/import/", {"file": handle}, follow=True)
    assert response.status_code == 200
    assert "1 fact-check(s) read: 1 new" in response.content.decode()
    assert PastFactCheck.objects.count() == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    with bad.open("rb") as handle:
        response = client.post("/reports/import/", {"file": handle})
    assert response.status_code == 400
    assert "The file is not valid JSON" in response.content.decode()
    assert "Choose a file to upload" in client.post("/reports/import/", {}).content.decode()


def test_upload_needs_the_csrf_token(editor, tmp_path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps(review()))
    with path.open("rb") as handle:
        assert client.post("/reports/import/", {"file": handle}).status_code == 403
    assert not PastFactCheck.objects.exists()
