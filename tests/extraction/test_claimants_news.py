"""Claimant patterns on news prose, each on a sentence from a real page of news-dev (the whole
document goes through the rules, as an article would), and the news-dev figures."""

from pathlib import Path

import pytest

from claims.extraction import head_data
from claims.extraction.boilerplate import is_boilerplate
from claims.extraction.claimant_eval import evaluate, same_claimant
from claims.extraction.claimants import attribute
from claims.extraction.sentences import split_sentences

DOCS = head_data.NEWS_DEV / "docs"


def attribution(doc: str, fragment: str):
    path = Path(DOCS / f"{doc}.txt")
    assert path.exists(), f"news-dev document {path} is missing"
    text = path.read_text(encoding="utf-8")
    spans = split_sentences(text)
    sentences = [text[s:e] for s, e in spans]
    found = attribute(text, spans, skip=[is_boilerplate(t) for t in sentences])
    hits = [f for f, s in zip(found, sentences, strict=True) if fragment in s]
    assert hits, f"no sentence of {doc} contains {fragment!r}"
    return hits[0]


@pytest.mark.parametrize(
    ("doc", "fragment", "claimant", "kind"),
    [
        # according to X -> X (an organisation, typed as one)
        ("chron.com.car-sales", "up 4 percent from the previous year, according to InfoNation",
         "InfoNation", "Organization"),
        ("smithsonianmag.com.plague", "the Inner Mongolia health commission said, according to",
         "Reuters", "Organization"),
        # "..., reports X" / "..., said X, a spokesman for Y": the named source after the verb
        ("smithsonianmag.com.plague", "26 cases and 11 deaths between 2009 and 2018, reports",
         "Reuters", "Organization"),
        ("nytimes.com.manholes", "said Ian Michaels, a spokesman for the city",
         "Ian Michaels", "Person"),
        # full organisation names, "of/on/and" inside them kept
        ("heraldsun.com.au.surveillance", "Joint Committee on Intelligence and Security has",
         "Parliament’s Joint Committee on Intelligence and Security", "Organization"),
        # researchers / the scientists / the study -> the named author
        ("medicalnewstoday.com.aha", "the scientists were able to match", "Michael Shadlen",
         "Person"),
        ("medicalnewstoday.com.aha", "the study shows that the conscious awareness",
         "Michael Shadlen", "Person"),
        # "the report" with no author named -> the institution that wrote it
        ("money.cnn.com.mobility", "The report also suggested the U.S. might not be",
         "Stanford University’s Center on Poverty and Inequality", "Organization"),
        # he/she -> the last named person who spoke (not a group named in between)
        ("bbc.com.assange", "He has always denied the allegations", "Julian Assange", "Person"),
        ("nbcnews.com.yoon", "He said he would not declare martial law a second time",
         "Yoon Suk Yeol", "Person"),
        # two bodies as subject: the first named
        ("yahoo.com.progress", "But both Roscosmos and NASA said", "Roscosmos", "Organization"),
        # a qualified group is an organisation, not a person (ClaimReview author @type)
        ("nytimes.com.sudan", "American officials said Sudan had already shown",
         "American officials", "Organization"),
    ],
)  # fmt: skip
def test_news_claimant_patterns(doc, fragment, claimant, kind):
    found = attribution(doc, fragment)
    assert same_claimant(claimant, found.claimant), (found.claimant, found.method)
    assert found.kind == kind


@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        # plural generics are no claimant
        ("kulu-media.com.meta-outage", "Others said their feeds failed to refresh"),
        ("nbcnews.com.yoon", "Officials said Friday that Yoon had ordered the arrest"),
        # sources that name no one leave the article's own claim unattributed
        ("usatoday.com.epstein", "according to court records"),
        ("washingtonpost.com.tunisia", "according to local news reports"),
        ("vox.com.delhi", "according to one estimate"),
    ],
)
def test_generic_sources_are_not_claimants(doc, fragment):
    found = attribution(doc, fragment)
    assert found.claimant is None and found.kind == ""


def test_a_spokesperson_for_an_organisation_is_the_organisation():
    # news-dev has no unnamed "a spokesperson for X said"; this follows the example.
    text = (
        "Universities and Colleges Employers' Association figures were published on Monday. "
        "A spokesperson for the Universities and Colleges Employers' Association said pay had "
        "risen by 21.9% since 2010."
    )
    spans = split_sentences(text)
    _, second = attribute(text, spans)
    assert second.claimant == "Universities and Colleges Employers' Association"
    assert second.kind == "Organization" and second.method == "spokesperson"
    plain_text = "The Universities and Colleges Employers' Association said pay rose 21.9%."
    (plain,) = attribute(plain_text, split_sentences(plain_text))
    assert plain.claimant == "Universities and Colleges Employers' Association"
    assert plain.kind == "Organization"


def test_news_dev_claimant_figures():
    result = evaluate()
    print(
        f"named CFS claimants right {result['named_right']}/{result['named_total']}, "
        f"own claims unattributed {result['own_unattributed']}/{result['own_total']}"
    )
    assert result["named_total"] == 202 and result["own_total"] == 336
    # Floors at today's figures, so a change that loses ground fails (targets: 0.90 each).
    assert result["named_accuracy"] >= 0.44
    assert result["own_accuracy"] >= 0.89
