"""Similar claims: exact repeats counted; paraphrases and past fact-checks are "checked before"."""

import json

import pytest

from claims import extraction, matching, services
from claims.models import Claim, ClaimMatch, PastFactCheck

pytestmark = pytest.mark.django_db


def file(text: str) -> list[Claim]:
    article, _ = services.article_create_from_text(text=text)
    return services.article_extract_claims(article_id=article.pk)


def claim_saying(fragment: str) -> Claim:
    return Claim.objects.get(text__contains=fragment)


def test_exact_repeat_is_counted_and_points_to_the_original():
    file("The minister said unemployment fell to 4.1% last year.")
    file(
        "Later that week, a senator repeated it. The minister said unemployment fell to 4.1% "
        "last year."
    )
    first, second = Claim.objects.filter(text__contains="4.1%").order_by("pk")
    assert second.repeat_count == 1 and second.duplicate_of == first
    link = ClaimMatch.objects.get(claim=second)
    assert link.matched_claim == first and link.exact and link.similarity > 0.95
    assert first.repeat_count == 0 and not ClaimMatch.objects.filter(claim=first).exists()


def test_paraphrase_is_checked_before_but_not_a_repeat():
    file("Unemployment fell to 4.1 percent last year, the lowest level since 1998.")
    file("Last year joblessness dropped to 4.1%, its lowest level since 1998.")
    later = claim_saying("joblessness")
    link = ClaimMatch.objects.get(claim=later)
    assert link.matched_claim == claim_saying("Unemployment fell") and not link.exact
    assert later.repeat_count == 0


def test_unrelated_claims_are_not_linked():
    file("Unemployment fell to 4.1 percent last year, the lowest level since 1998.")
    file("The city council approved a new budget for public libraries on Tuesday.")
    assert not ClaimMatch.objects.exists()


def test_imported_past_fact_check_is_found():
    past = PastFactCheck.objects.create(
        claim_reviewed="Russia says the United States trains Daesh fighters in Afghanistan.",
        publisher="Example Checks",
        url="https://checks.example/daesh",
        rating_text="False",
    )
    file("Russian officials said the United States was training Daesh fighters in Afghanistan.")
    link = ClaimMatch.objects.get(past_fact_check=past)
    assert link.claim.text.startswith("Russian officials said")
    assert PastFactCheck.objects.get(pk=past.pk).embedding is not None


def test_matching_twice_makes_no_second_link():
    file("The minister said unemployment fell to 4.1% last year.")
    repeats = file("The minister said unemployment fell to 4.1% last year. Really.")
    assert ClaimMatch.objects.count() == 1
    matching.match_claims(claim_ids=[c.pk for c in repeats])
    assert ClaimMatch.objects.count() == 1


def test_claims_left_unmatched_by_a_lost_job_are_matched_later():
    from datetime import timedelta

    from django.utils import timezone

    file("The minister said unemployment fell to 4.1% last year.")
    lost = file("The minister said unemployment fell to 4.1% last year. Honestly.")
    ids = [c.pk for c in lost]
    ClaimMatch.objects.all().delete()
    Claim.objects.filter(pk__in=ids).update(embedding=None, repeat_count=0)
    assert matching.match_unmatched() == 0  # too recent: its own job may still be running
    Claim.objects.filter(pk__in=ids).update(created_at=timezone.now() - timedelta(minutes=10))
    assert matching.match_unmatched() == len(ids)
    assert ClaimMatch.objects.filter(claim_id__in=ids, exact=True).count() == 1
    assert not Claim.objects.filter(embedding__isnull=True).exists()


@pytest.fixture
def small_index(settings, tmp_path):
    """A shared index file of its own, folded as soon as 2 rows are waiting."""
    settings.CLAIM_INDEX_DIR = tmp_path / "index"
    settings.CLAIM_INDEX_COMPACT_AT = 2
    matching.reset_cache()
    yield tmp_path / "index"
    matching.reset_cache()


def test_matches_come_from_the_shared_index_file(small_index):
    file(
        "Unemployment fell to 4.1 percent last year, the lowest level since 1998. "
        "The city council approved a new budget for public libraries on Tuesday. "
        "Russia says the United States trains Daesh fighters in Afghanistan."
    )
    file("Last year joblessness dropped to 4.1%, its lowest level since 1998.")
    assert (small_index / "claims.usearch").exists()
    meta = json.loads((small_index / "claims.json").read_text())
    first_article = Claim.objects.exclude(text__contains="joblessness").order_by("pk")
    assert meta["count"] == 3 and meta["last_pk"] == first_article.last().pk
    corpus = matching._claims
    assert corpus.index is not None and len(corpus.ids) < 2, "folded rows leave the delta"
    later = claim_saying("joblessness")
    link = ClaimMatch.objects.get(claim=later)
    assert link.matched_claim == claim_saying("Unemployment fell") and not link.exact
    # Another process (a fresh corpus) maps the same file rather than loading every row.
    matching.reset_cache()
    hits = matching._claims.search(
        extraction.embed_sentences([later.text]),
        0.7,
        exclude={later.pk},  # the later claim says it best; the question is the file's rows
    )
    assert matching._claims.index is not None
    assert claim_saying("Unemployment fell").pk in {pk for pk, _ in hits[0]}


def test_an_index_file_of_another_database_is_ignored(small_index):
    small_index.mkdir(parents=True)
    index = matching.new_index()
    import numpy as np

    index.add(np.array([987654], dtype=np.uint64), np.ones((1, 384), dtype=np.float32))
    matching.write_index(index, small_index / "claims.usearch", last_pk=987654, last_created=None)
    file("Unemployment fell to 4.1 percent last year, the lowest level since 1998.")
    file("Last year joblessness dropped to 4.1%, its lowest level since 1998.")
    assert ClaimMatch.objects.filter(claim=claim_saying("joblessness")).exists()
    assert not ClaimMatch.objects.filter(matched_claim_id=987654).exists()


def test_a_claim_embedded_after_a_later_one_is_still_searched():
    """Article A's job embeds its claim after article B's did (B's rows are above A's)."""
    file("Unemployment fell to 4.1 percent last year, the lowest level since 1998.")
    earlier = claim_saying("Unemployment fell")
    Claim.objects.filter(pk=earlier.pk).update(embedding=None)
    matching.reset_cache()  # this worker never saw A's vector
    file("The city council approved a new budget for public libraries on Tuesday.")
    assert matching._claims.pending == {earlier.pk}
    matching.match_claims(claim_ids=[earlier.pk])  # A's job gets to it now
    assert matching._claims.pending == set()
    file("Last year joblessness dropped to 4.1%, its lowest level since 1998.")
    link = ClaimMatch.objects.get(claim=claim_saying("joblessness"))
    assert link.matched_claim == earlier


def test_the_file_lists_rows_still_waiting_for_their_vector(small_index):
    file("Unemployment fell to 4.1 percent last year, the lowest level since 1998.")
    earlier = claim_saying("Unemployment fell")
    Claim.objects.filter(pk=earlier.pk).update(embedding=None)
    matching.reset_cache()
    file(
        "The city council approved a new budget for public libraries on Tuesday. "
        "Russia says the United States trains Daesh fighters in Afghanistan."
    )
    meta = json.loads((small_index / "claims.json").read_text())
    assert meta["count"] == 2 and meta["pending"] == [earlier.pk]
    # Another worker embeds A later (match_unmatched); a third one, mapping the file, finds it.
    matching.reset_cache()
    matching.match_claims(claim_ids=[earlier.pk])
    matching.reset_cache()
    file("Last year joblessness dropped to 4.1%, its lowest level since 1998.")
    link = ClaimMatch.objects.get(claim=claim_saying("joblessness"))
    assert link.matched_claim == earlier


def test_a_search_does_not_wait_for_another_process_folding(small_index, settings):
    import fcntl

    settings.CLAIM_INDEX_COMPACT_AT = 3  # fold at 3 rows; wait for the lock only at 6
    small_index.mkdir(parents=True)
    with open(small_index / "claims.usearch.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another process is folding
        file(
            "Unemployment fell to 4.1 percent last year, the lowest level since 1998. "
            "The city council approved a new budget for public libraries on Tuesday. "
            "Russia says the United States trains Daesh fighters in Afghanistan."
        )
        assert not (small_index / "claims.usearch").exists()
        assert len(matching._claims.ids) == 3  # due to fold, but another process is folding
        file("Last year joblessness dropped to 4.1%, its lowest level since 1998.")
        link = ClaimMatch.objects.get(claim=claim_saying("joblessness"))
        assert link.matched_claim == claim_saying("Unemployment fell")
    file("The mayor said the new bridge cost 40 million euros.")  # lock free: folded now
    assert json.loads((small_index / "claims.json").read_text())["count"] == 5


def test_claim_index_command_rebuilds_the_file_from_the_database(small_index, settings):
    from io import StringIO

    from django.core.management import call_command

    small_index.mkdir(parents=True)
    settings.CLAIM_INDEX_COMPACT_AT = 10**6
    file(
        "Unemployment fell to 4.1 percent last year, the lowest level since 1998. "
        "The city council approved a new budget for public libraries on Tuesday."
    )
    waiting = claim_saying("Unemployment fell")  # its job has not embedded it yet
    Claim.objects.filter(pk=waiting.pk).update(embedding=None)
    out = StringIO()
    call_command("claim_index", stdout=out)
    assert "claims: 1" in out.getvalue()
    council = claim_saying("city council")
    meta = json.loads((small_index / "claims.json").read_text())
    assert meta == {
        "last_pk": council.pk,
        "last_created": council.created_at.isoformat(),
        "count": 1,
        "pending": [waiting.pk],
    }
    matching.reset_cache()
    hits = matching._claims.search(
        extraction.embed_sentences(["The council approved a budget for the city's libraries."]),
        0.5,
        exclude=set(),
    )
    assert matching._claims.index is not None and len(matching._claims.ids) == 0
    assert matching._claims.pending == {waiting.pk}
    assert [pk for pk, _ in hits[0]] == [council.pk]


def test_the_mapped_file_is_searched_with_the_configured_expansions(small_index, settings):
    """usearch opens a file with its own defaults (64 for search); the settings must apply to
    the file every process maps, or recall is lower than the one measured."""
    settings.CLAIM_INDEX_EXPANSION_SEARCH = 211
    settings.CLAIM_INDEX_EXPANSION_ADD = 97
    file(
        "Unemployment fell to 4.1 percent last year, the lowest level since 1998. "
        "The city council approved a new budget for public libraries on Tuesday. "
        "Russia says the United States trains Daesh fighters in Afghanistan."
    )
    assert (small_index / "claims.usearch").exists()
    matching.reset_cache()
    matching._claims.search(extraction.embed_sentences(["Unemployment fell."]), 0.7, set())
    mapped = matching._claims.index
    assert mapped is not None
    assert (mapped.expansion_search, mapped.expansion_add) == (211, 97)
    opened = matching.restore_index(small_index / "claims.usearch", view=False)
    assert (opened.expansion_search, opened.expansion_add) == (211, 97)


@pytest.mark.parametrize("best_key", [7, 8])
def test_the_file_s_rows_come_back_in_exact_order(best_key):
    """usearch compares in float16: two rows whose cosines differ in the fifth decimal tie there,
    and its own order puts either first. The rows are scored again in float32, so the closer
    one comes first whichever key it has."""
    import numpy as np

    query = np.zeros((1, 384), dtype=np.float32)
    query[0, :3] = (0.6, 0.6 * (1 - 2e-5), 0.8)  # the same in float16 in dimensions 0 and 1
    query /= np.linalg.norm(query)
    stored = np.zeros((2, 384), dtype=np.float32)
    stored[0, 0 if best_key == 7 else 1] = 1.0
    stored[1, 1 if best_key == 7 else 0] = 1.0
    index = matching.new_index()
    matching.add_to_index(index, np.array([7, 8]), stored)
    [hits] = matching.search_index(index, query, 1)
    assert [pk for pk, _ in hits] == [best_key]
    assert hits[0][1] == pytest.approx(float(query[0, 0]), abs=1e-7)


def test_search_index_scores_the_stored_vectors_exactly():
    import numpy as np

    rng = np.random.default_rng(3)
    stored = rng.standard_normal((500, 384)).astype(np.float32)
    stored /= np.linalg.norm(stored, axis=1, keepdims=True)
    queries = stored[:4] + 0.3 * rng.standard_normal((4, 384)).astype(np.float32)
    index = matching.new_index()
    matching.add_to_index(index, np.arange(1, 501), stored)
    found = matching.search_index(index, queries, 5)
    exact = (queries / np.linalg.norm(queries, axis=1, keepdims=True)) @ stored.astype(
        np.float16
    ).astype(np.float32).T  # the index keeps float16 vectors
    for row, hits in enumerate(found):
        best = [int(i) + 1 for i in np.argsort(-exact[row])[:5]]
        found_keys = [pk for pk, _ in hits]
        scores = [score for _, score in hits]
        # Each hit's score is its exact cosine, and the hits are in that order.
        assert scores == pytest.approx(exact[row, [pk - 1 for pk in found_keys]])
        assert scores == sorted(scores, reverse=True)
        # The graph is approximate (HNSW; recall is measured in benchmarks/matching.py): on
        # random vectors the 2nd-5th neighbours are near ties, and a run may reach another
        # one instead; the nearest always comes first, and at most one of five differs.
        assert found_keys[0] == best[0]
        assert len(set(found_keys) & set(best)) >= 4
    assert matching.search_index(matching.new_index(), queries, 5) == [[]] * 4


def test_the_index_file_is_built_with_the_configured_connectivity(small_index, settings, caplog):
    import logging

    settings.CLAIM_INDEX_CONNECTIVITY = 12
    file(
        "Unemployment fell to 4.1 percent last year, the lowest level since 1998. "
        "The city council approved a new budget for public libraries on Tuesday. "
        "Russia says the United States trains Daesh fighters in Afghanistan."
    )
    settings.CLAIM_INDEX_CONNECTIVITY = 40  # a file keeps the connectivity it was built with
    matching.reset_cache()
    with caplog.at_level(logging.WARNING, logger="claims.matching.index"):
        matching._claims.search(extraction.embed_sentences(["Unemployment fell."]), 0.7, set())
    assert matching._claims.index is not None and matching._claims.index.connectivity == 12
    assert "built with connectivity 12, not 40; run manage.py claim_index" in caplog.text
