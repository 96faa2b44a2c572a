import pytest

from claims import services
from claims.errors import InvalidInput, PermissionDenied
from claims.models import Article, Claim, ClaimEvent, Evidence
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

TEXT = (
    "The minister said unemployment fell to 4.1% last year.\n\n"
    "Critics noted that the figure excludes 300,000 people on training schemes."
)


def test_same_text_twice_is_one_article(editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first, created = services.article_create_from_text(text=TEXT, submitted_by=editor)
    assert created and first.status == Article.Status.PENDING
    assert len(callbacks) == 1  # extraction scheduled after commit
    again, created = services.article_create_from_text(text="  " + TEXT.upper() + "\n")
    assert not created and again.pk == first.pk
    assert Article.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The article is empty"),
        ("   \n\t ", "The article is empty"),
        ("x" * 500_001, "The article is too long (500,001 characters"),
    ],
)
def test_bad_article_text_is_refused(text, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")):
        services.article_create_from_text(text=text)
    assert not Article.objects.exists()


def test_extraction_files_claims_once(editor):
    article, _ = services.article_create_from_text(text=TEXT)
    filed = services.article_extract_claims(article_id=article.pk)
    assert len(filed) == 2
    article.refresh_from_db()
    assert article.status == Article.Status.READY and article.progress == 100
    for claim in filed:
        assert article.body[claim.start_offset : claim.end_offset] == claim.text
        assert claim.events.get().transition == "file"
    assert services.article_extract_claims(article_id=article.pk) == []
    assert Claim.objects.filter(article=article).count() == 2


def test_extraction_of_missing_article_is_a_no_op():
    assert services.article_extract_claims(article_id=987654) == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "Only http:// and https:// addresses are accepted"),
        ("ftp://example.org/file", "Only http:// and https:// addresses are accepted"),
        ("example.org/page", "Only http:// and https:// addresses are accepted"),
        ("http://", "is not a valid web address"),
        ("", "Give a web address"),
    ],
)
def test_evidence_urls_must_be_http(url, message, editor):
    claim = ClaimFactory()
    with pytest.raises(InvalidInput, match=message):
        services.evidence_add(claim_id=claim.pk, actor=editor, url=url)
    assert not Evidence.objects.exists()


def test_evidence_by_assignee_or_editor_only(editor, checker, checker2):
    from claims import workflow

    claim = ClaimFactory()
    workflow.claim_assign(claim_id=claim.pk, assignee=checker, actor=editor)
    with pytest.raises(PermissionDenied, match="Only the claim's assignee or an editor"):
        services.evidence_add(claim_id=claim.pk, actor=checker2, url="https://example.org/")
    evidence = services.evidence_add(
        claim_id=claim.pk,
        actor=checker,
        url="https://example.org/report",
        stance="refutes",
        excerpt="The figure was 5.2%.",
    )
    assert evidence.quote_status == Evidence.QuoteStatus.PENDING
    event = ClaimEvent.objects.filter(claim=claim).first()
    assert event.transition == "add_evidence" and event.details["url"] == evidence.url
