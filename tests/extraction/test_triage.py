"""Check-worthiness on news: batch-independent scores, two thresholds with their reasons, the
non-English path, claimant types, and the claim/article pages that say why."""

import numpy as np
import pytest
from django.urls import reverse

from claims import services
from claims.extraction import (
    CANDIDATE_THRESHOLD,
    OPEN_THRESHOLD,
    analyse_text,
    detect_language,
    score_sentences,
)
from claims.extraction.news_head import ALL_FEATURES, MissingEncoderError, feature_matrix
from claims.extraction.pipeline import band_for
from claims.extraction.scoring import get_head, get_model, score_in_context
from claims.models import Claim

# Sentences from news-dev pages (nytimes.com.debt, money.cnn.com.mobility, kulu-media.com.*).
NEWS = [
    "The federal government could soon pay more in interest on its debt than it spends on the "
    "military, Medicaid or children's programs.",
    "The United States ranked last among 10 well-off countries in poverty and mobility.",
    "A major Meta outage disrupted access to Facebook, Instagram, and Messenger on Friday.",
    "Others said their feeds failed to refresh or that messages could not be sent or received.",
    "What a day.",
]


def test_a_sentence_scores_the_same_alone_and_in_any_batch():
    alone = [score_sentences([s])[0] for s in NEWS]
    assert score_sentences(NEWS) == alone
    assert score_sentences(list(reversed(NEWS)))[::-1] == alone
    padded = score_sentences([NEWS[4], NEWS[0] * 3, NEWS[1]])  # a long neighbour in the batch
    assert padded[2] == alone[1]
    encoded = get_model().encode(NEWS, embed=False)
    for key in ("logit", "cw_logit"):  # both encoders, where the full fine-tune ships
        if key in encoded:
            alone = [get_model().encode([s], embed=False)[key][0] for s in NEWS]
            assert alone == list(encoded[key]), key


def test_the_shipped_head_gets_every_input_it_was_fitted_on():
    head = get_head()
    encoded = get_model().encode(NEWS[:2], embed=False)
    if head.needs_cw:
        assert "cw_logit" in encoded, "head.npz needs cw_encoder.onnx, which did not load"
    rows = feature_matrix(
        encoded["logit"], NEWS[:2], [-1, 0], [1, -1], [0, 1],
        cw_logit=encoded.get("cw_logit"), names=head.features,
    )  # fmt: skip
    assert rows.shape == (2, len(head.features)) == (2, len(head.coef))
    # A head that needs the full fine-tune's logit, without it, fails loudly, naming the file.
    with pytest.raises(MissingEncoderError, match="cw_encoder.onnx"):
        feature_matrix(np.zeros(2), NEWS[:2], [-1, 0], [1, -1], [0, 1], names=ALL_FEATURES)


def test_context_scores_depend_on_neighbours_not_on_the_batch():
    args = (NEWS[:3], [-1, 0, 1], [1, 2, -1], [0, 1, 2])
    first = score_in_context(*args)
    again = score_in_context(*args)
    assert first == again
    # The same article analysed twice, or with text after it, scores its sentences the same.
    text = " ".join(NEWS[:3])
    a = [s.score for s in analyse_text(text)]
    b = [s.score for s in analyse_text(text)]
    assert a == b


def test_thresholds_are_ordered_and_bands_say_why():
    assert 0.0 < CANDIDATE_THRESHOLD < OPEN_THRESHOLD < 1.0
    assert band_for(0.91, 0.6, 0.2) == ("open", "score 0.91 ≥ 0.60 opens a claim")
    band, reason = band_for(0.45, 0.6, 0.2)
    assert band == "candidate"
    assert reason == "score 0.45 < 0.60 (open) and ≥ 0.20: a candidate for triage"
    band, reason = band_for(0.05, 0.6, 0.2)
    assert band == "low"
    assert reason == "score 0.05 < 0.20: not check-worthy (kept, collapsed)"
    assert band_for(0.6, 0.6, 0.2)[0] == "open"  # at the threshold opens
    assert band_for(0.2, 0.6, 0.2)[0] == "candidate"


def test_analyse_text_bands_follow_the_thresholds():
    text = " ".join(NEWS)
    result = list(analyse_text(text, threshold=0.5, candidate_threshold=0.2))
    scored = [s for s in result if not s.is_boilerplate]
    assert scored, "nothing scored"
    for s in scored:
        expected = "open" if s.score >= 0.5 else "candidate" if s.score >= 0.2 else "low"
        assert s.band == expected, (s.text, s.score, s.band)
        assert s.check_worthy == (expected == "open")
        assert f"score {s.score:.2f}" in s.reason
        assert s.language == "en"


TEXT = (
    "The federal government will spend more than $900 billion on interest in 2028, more than "
    "it spends on the military.\n\n"
    "What a day it has been.\n\n"
    "Others said their feeds failed to refresh."
)


@pytest.mark.django_db
@pytest.mark.parametrize("setting", ["CLAIM_OPEN_THRESHOLD", "CLAIM_SCORE_THRESHOLD"])
def test_filing_uses_two_thresholds(settings, setting):
    settings.CLAIM_OPEN_THRESHOLD = None
    settings.CLAIM_SCORE_THRESHOLD = None
    setattr(settings, setting, 0.5)  # the old name still sets the open threshold
    settings.CLAIM_CANDIDATE_THRESHOLD = 0.2
    article, _ = services.article_create_from_text(text=TEXT)
    filed = services.article_extract_claims(article_id=article.pk)
    assert filed
    for claim in Claim.objects.filter(article=article):
        expected = "open" if claim.score >= 0.5 else "candidate" if claim.score >= 0.2 else "low"
        assert claim.triage_band == expected, (claim.text, claim.score)
        assert claim.state == (Claim.State.OPEN if expected == "open" else Claim.State.CANDIDATE)
        assert claim.triage_reason.startswith(f"score {claim.score:.2f}")
        event = claim.events.get(transition="file")
        assert event.details["band"] == expected
        assert event.details["reason"] == claim.triage_reason
    # Sentences below the candidate threshold are kept (filed, searchable), not dropped.
    bands = set(Claim.objects.filter(article=article).values_list("triage_band", flat=True))
    assert "open" in bands and "low" in bands


@pytest.mark.django_db
def test_filing_with_everything_open_and_nothing_open(settings):
    settings.CLAIM_OPEN_THRESHOLD = 0.0
    settings.CLAIM_CANDIDATE_THRESHOLD = 0.0
    article, _ = services.article_create_from_text(text=TEXT)
    services.article_extract_claims(article_id=article.pk)
    assert set(Claim.objects.filter(article=article).values_list("state", flat=True)) == {"open"}
    settings.CLAIM_OPEN_THRESHOLD = 1.0
    settings.CLAIM_CANDIDATE_THRESHOLD = 1.0
    article, _ = services.article_create_from_text(text=TEXT + " Again.")
    services.article_extract_claims(article_id=article.pk)
    claims = Claim.objects.filter(article=article)
    assert set(claims.values_list("triage_band", flat=True)) == {"low"}
    assert set(claims.values_list("state", flat=True)) == {"candidate"}


FRENCH = (
    "Le gouvernement a annoncé jeudi une hausse de 3 % des impôts sur le revenu. "
    "Selon l'Insee, le chômage a reculé à 7,1 % au troisième trimestre. "
    "Le ministre a déclaré que la dette publique dépassait 110 % du PIB."
)


def test_languages_are_detected():
    assert detect_language(FRENCH) == "fr"
    assert detect_language(" ".join(NEWS)) == "en"
    assert detect_language("Ok.") == "en"  # too short to call


def test_non_english_sentences_are_candidates_with_no_model():
    result = analyse_text(FRENCH)
    assert result and all(s.language == "fr" for s in result)
    for s in result:
        assert s.band == "no_model" and s.reason == "no check-worthiness model for French"
        assert s.score == 0.0 and not s.check_worthy and s.claimant is None


@pytest.mark.django_db
def test_non_english_article_is_filed_as_candidates_and_the_claim_page_says_so(client, editor):
    article, _ = services.article_create_from_text(text=FRENCH)
    services.article_extract_claims(article_id=article.pk)
    article.refresh_from_db()
    assert article.language == "fr"
    claims = list(Claim.objects.filter(article=article))
    assert len(claims) == 3
    assert {c.state for c in claims} == {"candidate"}
    assert {c.triage_band for c in claims} == {"no_model"}
    assert {c.language for c in claims} == {"fr"}
    client.force_login(editor)
    page = client.get(reverse("claims:claim", args=[claims[0].pk])).content.decode()
    assert "no check-worthiness model for French" in page
    assert "not scored" in page


@pytest.mark.django_db
def test_claim_and_article_pages_say_why(client, editor, settings):
    settings.CLAIM_OPEN_THRESHOLD = 0.5
    settings.CLAIM_CANDIDATE_THRESHOLD = 0.2
    article, _ = services.article_create_from_text(text=TEXT)
    services.article_extract_claims(article_id=article.pk)
    opened = Claim.objects.filter(article=article, triage_band="open").first()
    low = Claim.objects.filter(article=article, triage_band="low").first()
    assert opened and low
    client.force_login(editor)
    page = client.get(reverse("claims:claim", args=[opened.pk])).content.decode()
    assert f"Filed open: score {opened.score:.2f} ≥ 0.50 opens a claim" in page
    # The line says how triage filed the claim, not the state it has reached since.
    Claim.objects.filter(pk=opened.pk).update(state=Claim.State.IN_REVIEW)
    page = client.get(reverse("claims:claim", args=[opened.pk])).content.decode()
    assert f"Filed open: score {opened.score:.2f} ≥ 0.50 opens a claim" in page
    assert "Filed in review" not in page and "Why filed" not in page
    page = client.get(reverse("claims:claim", args=[low.pk])).content.decode()
    assert f"Filed as not check-worthy: score {low.score:.2f} &lt; 0.20" in page
    page = client.get(reverse("claims:article", args=[article.pk])).content.decode()
    assert f"score {opened.score:.2f} ≥ 0.50 opens a claim" in page
    collapsed = page.split('id="low-sentences"', 1)
    assert len(collapsed) == 2, "no collapsed section for sentences below the candidate band"
    assert low.text in collapsed[1] and "not check-worthy" in collapsed[1]
    assert low.text not in collapsed[0].split('id="sentences"', 1)[1]
