import pytest

from claims.evidence.quotes import excerpt_parts, normalise, quote_in_text

SOURCE = (
    "The minister said: “We have cut unemployment to 4.1%\u00a0— the lowest since 2008.”\n"
    "Critics\u00a0called the figure ‘misleading’.   It excludes 300,000 people on training "
    "schemes, according to the institute’s 2024–2025 report."
)


@pytest.mark.parametrize(
    "excerpt",
    [
        '"We have cut unemployment to 4.1% - the lowest since 2008."',
        "we have   cut\nunemployment to 4.1% -- the LOWEST since 2008",
        "“We have cut unemployment to 4.1%—the lowest since 2008.”",
        "Critics called the figure 'misleading'.",
        'critics called the figure "misleading"',
        "the institute's 2024-2025 report",
        "the institute’s 2024 – 2025 report",
        "We have cut unemployment ... the lowest since 2008",
        "We have cut unemployment […] since 2008",
        "It excludes 300,000 people… according to the institute",
        "ex\u00adcludes 300,000 peo\u200bple",
    ],
)
def test_quote_found_despite_how_it_was_copied(excerpt):
    assert quote_in_text(excerpt, SOURCE)


@pytest.mark.parametrize(
    "excerpt",
    [
        "We have cut unemployment to 3.1%",  # a changed figure
        "the lowest since 2008 ... We have cut unemployment",  # pieces out of order
        "Critics called the figure false",
        "It excludes 400,000 people",
        "...",  # nothing to look for
        "",
        "   ",
    ],
)
def test_quote_not_found(excerpt):
    assert not quote_in_text(excerpt, SOURCE)


def test_normalise_folds_quotes_dashes_space_and_case():
    assert normalise("“Don’t” — SAID\u00a0she") == '"don"t"-said she'
    assert excerpt_parts("  “A … b [...] c.”  ") == ["a", "b", "c"]
