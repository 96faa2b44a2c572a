"""Writes on articles and their claims (the claim state machine itself is in workflow.py)."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import extraction
from .errors import InvalidInput
from .models import Article, Claim, ClaimEvent, Topic
from .signals import claims_filed

logger = logging.getLogger(__name__)


def normalise_text(text: str) -> str:
    """Newlines unified, control characters dropped; offsets are into this stored text."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def content_hash(text: str) -> str:
    """The same text twice is one article: hash it with whitespace and case folded."""
    folded = re.sub(r"\s+", " ", text).strip().casefold()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def _validate_body(text: str) -> str:
    text = normalise_text(text or "")
    if not text:
        raise InvalidInput("The article is empty: paste its text, upload a file or give a URL.")
    if len(text) > settings.ARTICLE_MAX_CHARS:
        raise InvalidInput(
            f"The article is too long ({len(text):,} characters; the limit is "
            f"{settings.ARTICLE_MAX_CHARS:,}). Split it into parts."
        )
    _check_sentence_count(text)
    return text


def _check_sentence_count(text: str) -> None:
    """At most ARTICLE_MAX_SENTENCES sentences: that bounds one extraction job's cost.

    A sentence takes at least two characters, so short texts are not split here at all.
    """
    limit = settings.ARTICLE_MAX_SENTENCES
    if len(text) < 2 * limit:
        return
    count = len(extraction.split_sentences(text))
    if count > limit:
        raise InvalidInput(
            f"The article has too many sentences ({count:,}; the limit is {limit:,}). "
            "Split it into parts."
        )


def _validate_html(html: str) -> str:
    """An HTML page is at most ARTICLE_MAX_BYTES (UTF-8) before it is parsed."""
    size = len((html or "").encode("utf-8", errors="replace"))
    if size > settings.ARTICLE_MAX_BYTES:
        limit = settings.ARTICLE_MAX_BYTES // (1024 * 1024)
        raise InvalidInput(
            f"The HTML page is too large ({size:,} bytes; the limit is {limit} MB). "
            "Paste the article's text instead."
        )
    return html or ""


def _schedule_extraction(article_id: int) -> None:
    from .tasks import queue_extraction

    queue_extraction(article_id)  # recorded in this transaction, sent after commit


def article_create_from_text(
    *,
    text: str,
    submitted_by=None,
    title: str = "",
    url: str | None = None,
    publisher: str = "",
    author: str = "",
    published_at: datetime | None = None,
    language: str = "en",
    source: str = Article.Source.TEXT,
) -> tuple[Article, bool]:
    """File an article and schedule its extraction. Returns (article, created).

    The same text (or the same URL) twice gives back the existing article.
    """
    body = _validate_body(text)
    digest = content_hash(body)
    existing = Article.objects.filter(content_hash=digest).first()
    if existing is None and url:
        existing = Article.objects.filter(url=url).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            article = Article.objects.create(
                url=url or None,
                source=source,
                title=(title or "")[:500],
                publisher=(publisher or "")[:200],
                author=(author or "")[:200],
                published_at=published_at,
                language=language or "en",
                body=body,
                content_hash=digest,
                status=Article.Status.PENDING,
                submitted_by=submitted_by,
            )
            _schedule_extraction(article.pk)
    except IntegrityError:
        # Someone filed the same text or URL at the same moment: theirs is the article.
        existing = Article.objects.filter(content_hash=digest).first() or (
            Article.objects.filter(url=url).first() if url else None
        )
        if existing is None:
            raise
        return existing, False
    return article, True


def article_create_from_html(
    *,
    html: str,
    submitted_by=None,
    url: str | None = None,
    title: str = "",
    publisher: str = "",
    author: str = "",
    published_at: datetime | None = None,
    language: str = "",
) -> tuple[Article, bool]:
    """File an HTML page: its main text and metadata (what the caller gives wins)."""
    content = extraction.parse_html(_validate_html(html), url=url)
    if not (content.text or "").strip():
        raise InvalidInput(
            "No article text was found in this HTML page (is it a front page, or only scripts?)."
        )
    return article_create_from_text(
        text=content.text,
        submitted_by=submitted_by,
        url=url,
        title=title or content.title,
        publisher=publisher or content.publisher,
        author=author or content.author,
        published_at=published_at or content.published_at,
        language=language or content.language or "en",
        source=Article.Source.HTML,
    )


def _topic_specs() -> dict[str, extraction.TopicSpec]:
    """Each topic's keywords (hints), description and examples, as the admin last saved them."""
    return {
        t.slug: extraction.TopicSpec(
            keywords=tuple(t.keyword_list),
            description=t.description,
            examples=tuple(t.example_list),
        )
        for t in Topic.objects.all()
    }


def claim_thresholds() -> tuple[float, float]:
    """(open, candidate) from settings, else the model's own (CLAIM_SCORE_THRESHOLD: old name)."""
    open_t = getattr(settings, "CLAIM_OPEN_THRESHOLD", None)
    if open_t is None:
        open_t = settings.CLAIM_SCORE_THRESHOLD
    if open_t is None:
        open_t = extraction.OPEN_THRESHOLD
    candidate_t = getattr(settings, "CLAIM_CANDIDATE_THRESHOLD", None)
    if candidate_t is None:
        candidate_t = extraction.CANDIDATE_THRESHOLD
    return float(open_t), min(float(candidate_t), float(open_t))


def article_mark_failed(*, article_id: int, reason: str) -> None:
    Article.objects.filter(pk=article_id).update(
        status=Article.Status.FAILED, status_detail=reason[:2000], updated_at=timezone.now()
    )


def article_extract_claims(*, article_id: int) -> list[Claim]:
    """Split, score, attribute and file the article's claims. Running it twice files nothing twice.

    Returns the claims filed by this run.
    """
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        logger.warning("extract_claims: article %s no longer exists", article_id)
        return []
    if article.status == Article.Status.READY:
        return []
    Article.objects.filter(pk=article_id).update(
        status=Article.Status.PROCESSING, progress=10, status_detail=""
    )
    try:
        open_t, candidate_t = claim_thresholds()
        sentences = extraction.analyse_text(
            article.body,
            threshold=open_t,
            candidate_threshold=candidate_t,
            topics=_topic_specs(),
        )
    except Exception as exc:
        logger.exception("extraction failed for article %s", article_id)
        article_mark_failed(article_id=article_id, reason=f"Extraction failed: {exc}")
        raise
    Article.objects.filter(pk=article_id).update(progress=70)
    filed = _file_claims(article_id=article_id, sentences=sentences)
    if filed:
        _match(filed)
    return filed


def _match(claims: list[Claim]) -> None:
    """Link new claims to similar earlier ones. The claims are filed whatever happens here."""
    from . import matching

    try:
        matching.match_claims(claim_ids=[c.pk for c in claims])
    except Exception:
        logger.exception("similar-claim matching failed for claims %s", [c.pk for c in claims])


def _file_claims(*, article_id: int, sentences: list) -> list[Claim]:
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        if article.status == Article.Status.READY:
            return []
        known = set(article.claims.values_list("position", flat=True))
        topics = {t.slug: t for t in Topic.objects.all()}
        new = [
            Claim(
                article=article,
                text=s.text,
                context=s.context,
                position=s.position,
                start_offset=s.start,
                end_offset=s.end,
                claimant=(s.claimant or "")[:200],
                claimant_method=s.claimant_method,
                claimant_type=s.claimant_type,
                triage_band=s.band,
                triage_reason=s.reason[:200],
                score=min(1.0, max(0.0, float(s.score))),
                model_version=extraction.MODEL_VERSION,
                language=s.language or article.language,
                state=Claim.State.OPEN if s.check_worthy else Claim.State.CANDIDATE,
            )
            for s in sentences
            if not s.is_boilerplate and s.position not in known
        ]
        filed = Claim.objects.bulk_create(new)
        if any(claim.pk is None for claim in filed):  # backends that return no ids
            filed = list(article.claims.filter(position__in=[c.position for c in new]))
        by_position = {s.position: s for s in sentences}
        through = Claim.topics.through
        through.objects.bulk_create(
            [
                through(claim_id=claim.pk, topic_id=topics[slug].pk)
                for claim in filed
                for slug in by_position[claim.position].topics
                if slug in topics
            ]
        )
        ClaimEvent.objects.bulk_create(
            [
                ClaimEvent(
                    claim=claim,
                    actor=None,
                    transition="file",
                    from_state="",
                    to_state=claim.state,
                    details={
                        "score": round(claim.score, 4),
                        "model": claim.model_version,
                        "band": claim.triage_band,
                        "reason": claim.triage_reason,
                    },
                )
                for claim in filed
            ]
        )
        article.status = Article.Status.READY
        article.progress = 100
        article.status_detail = ""
        detected = next((s.language for s in sentences if s.language), "")
        if detected:
            article.language = detected
        article.save(
            update_fields=["status", "progress", "status_detail", "language", "updated_at"]
        )
        claims_filed.send(sender=Article, article=article, claims=filed)
    return filed


def validate_http_url(url: str) -> str:
    """Only http and https web addresses are accepted, with a host."""
    from urllib.parse import urlsplit

    from django.core.exceptions import ValidationError

    from .models import http_url_validator

    url = (url or "").strip()
    if not url:
        raise InvalidInput("Give a web address.")
    scheme = urlsplit(url).scheme.lower()
    if scheme not in {"http", "https"}:
        shown = f"'{scheme}:'" if scheme else "no scheme"
        raise InvalidInput(
            f"Only http:// and https:// addresses are accepted (this one has {shown})."
        )
    try:
        http_url_validator(url)
    except ValidationError:
        raise InvalidInput(f"'{url[:200]}' is not a valid web address.") from None
    return url


# Evidence is written by claims/evidence/services.py (the one door, with the publication rule);
# the name stays here for the callers that know it.
def evidence_add(**kwargs):
    from .evidence.services import evidence_add as add

    return add(**kwargs)


# --- Articles from the web ------------------------------------------------------------------


def article_create_from_url(*, url: str, submitted_by=None) -> tuple[Article, bool]:
    """File an article to be fetched from `url` by a Celery job. Returns (article, created).

    The same URL twice gives back the existing article.
    """
    from urllib.parse import urldefrag

    url = urldefrag(validate_http_url(url))[0]
    existing = Article.objects.filter(url=url).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            article = Article.objects.create(
                url=url,
                source=Article.Source.URL,
                status=Article.Status.PENDING,
                submitted_by=submitted_by,
                title=url[:500],
            )
            _enqueue_fetch(article.pk)
    except IntegrityError:
        existing = Article.objects.filter(url=url).first()
        if existing is None:
            raise
        return existing, False
    return article, True


def _enqueue_fetch(article_id: int) -> None:
    from .tasks import queue_fetch

    queue_fetch(article_id)  # recorded in this transaction, sent after commit


def article_fetch(*, article_id: int) -> list[Claim]:
    """Fetch a URL article, take its main text and metadata, then file its claims.

    Failures leave the article failed with the reason in words; nothing half-filed.
    Running it again after success changes nothing.
    """
    from . import fetching

    article = Article.objects.filter(pk=article_id).first()
    if article is None or article.status in {Article.Status.READY, Article.Status.FAILED}:
        return []
    if article.body:  # fetched before, extraction was interrupted
        return article_extract_claims(article_id=article_id)
    Article.objects.filter(pk=article_id).update(status=Article.Status.FETCHING, progress=5)
    try:
        result = fetching.fetch(article.url)
    except fetching.FetchError as exc:
        article_mark_failed(article_id=article_id, reason=str(exc))
        return []
    text = result.text
    if "html" in result.content_type:
        content = extraction.parse_html(text, url=result.final_url)
    else:
        content = extraction.ArticleContent(text=text)
    try:
        body = _validate_body(content.text)
    except InvalidInput as exc:
        article_mark_failed(
            article_id=article_id,
            reason=str(exc)
            if (content.text or "").strip()
            else "No article text could be found at that address (is it a front page or "
            "behind a login?).",
        )
        return []
    digest = content_hash(body)
    twin = Article.objects.filter(content_hash=digest).exclude(pk=article_id).first()
    if twin is not None:
        article_mark_failed(
            article_id=article_id,
            reason=f"This page's text is already filed as article {twin.pk} ({twin}).",
        )
        return []
    Article.objects.filter(pk=article_id).update(
        body=body,
        content_hash=digest,
        title=(content.title or article.url)[:500],
        author=(content.author or "")[:200],
        publisher=(content.publisher or "")[:200],
        published_at=content.published_at,
        language=content.language or "en",
        status=Article.Status.PROCESSING,
        progress=40,
        updated_at=timezone.now(),
    )
    return article_extract_claims(article_id=article_id)
