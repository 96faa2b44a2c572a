import io
import json

import pytest
from django.core.management import CommandError, call_command

from claims.models import Article, Claim

TEXT = (
    "The minister said unemployment fell to 4.1% last year.\n\n"
    "Critics noted that the figure excludes 300,000 people on training schemes.\n"
)
HTML = """<!doctype html><html lang="en"><head><title>Jobs report</title>
<meta name="author" content="Ann Reporter"></head><body><article><h1>Jobs report</h1>
<p>The minister said unemployment fell to 4.1% last year, the lowest since 1998.</p>
<p>Critics noted that the figure excludes 300,000 people on training schemes.</p>
</article></body></html>"""


def run(*args, stdin: str | None = None, monkeypatch=None) -> str:
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    call_command(*args, stdout=out)
    return out.getvalue()


def test_extract_claims_jsonl_offsets_point_into_the_text(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    rows = [
        json.loads(line)
        for line in run("extract_claims", str(path), "--format", "jsonl").splitlines()
    ]
    assert len(rows) == 2
    for row in rows:
        assert set(row) == {
            "text", "start", "end", "score", "check_worthy", "claimant",
            "band", "reason", "claimant_type", "language",
        }  # fmt: skip
        assert row["band"] in {"open", "candidate", "low"} and row["language"] == "en"
        assert row["reason"].startswith(f"score {row['score']:.2f}")
        assert TEXT[row["start"] : row["end"]] == row["text"]
        assert 0.0 <= row["score"] <= 1.0
    assert rows[0]["text"].startswith("The minister said")


def test_extract_claims_json_from_html_has_article_metadata(tmp_path):
    path = tmp_path / "a.html"
    path.write_text(HTML, encoding="utf-8")
    doc = json.loads(run("extract_claims", str(path), "--format", "json"))
    assert set(doc["article"]) == {
        "title",
        "author",
        "publisher",
        "published_at",
        "language",
        "text",
    }
    assert "unemployment fell to 4.1%" in doc["article"]["text"]
    assert any("unemployment" in s["text"] for s in doc["sentences"])
    for s in doc["sentences"]:
        assert doc["article"]["text"][s["start"] : s["end"]] == s["text"]


def test_extract_claims_sentences_mode_reads_lines_from_stdin(monkeypatch):
    lines = "Unemployment fell to 4% in 2024.\nI love this country.\n"
    rows = [
        json.loads(x)
        for x in run(
            "extract_claims",
            "-",
            "--sentences",
            "--format",
            "jsonl",
            stdin=lines,
            monkeypatch=monkeypatch,
        ).splitlines()
    ]
    assert [r["text"] for r in rows] == ["Unemployment fell to 4% in 2024.", "I love this country."]
    assert rows[0]["score"] > rows[1]["score"]


def test_extract_claims_refuses_missing_and_non_utf8(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("extract_claims", str(tmp_path / "nope.txt"), "--format", "jsonl")
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf\xe9 au lait co\xfbte 3 \x80.".encode("latin-1", "replace"))
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        run("extract_claims", str(bad), "--format", "jsonl")


@pytest.mark.django_db
def test_ingest_article_files_claims_and_is_idempotent(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    out = run("ingest_article", str(path))
    article = Article.objects.get()
    assert out.startswith(f"Filed article {article.pk}")
    assert article.status == Article.Status.READY
    assert Claim.objects.filter(article=article).count() == 2
    again = run("ingest_article", str(path))
    assert again.startswith(f"Already filed: article {article.pk}")
    assert Claim.objects.count() == 2


@pytest.mark.django_db
def test_ingest_article_from_html_keeps_url_and_metadata(tmp_path):
    path = tmp_path / "a.html"
    path.write_text(HTML, encoding="utf-8")
    run("ingest_article", str(path), "--url", "https://news.example.org/jobs")
    article = Article.objects.get()
    assert article.url == "https://news.example.org/jobs"
    assert article.source == Article.Source.HTML
    assert "unemployment fell to 4.1%" in article.body
    assert "<p>" not in article.body


@pytest.mark.django_db
def test_ingest_article_refuses_bad_url_scheme():
    with pytest.raises(CommandError, match=r"Only http:// and https:// addresses are accepted"):
        run("ingest_article", "ftp://example.org/a.txt")
    assert not Article.objects.exists()
