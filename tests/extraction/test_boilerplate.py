import pytest

from claims.extraction.boilerplate import is_boilerplate

from .conftest import find


@pytest.mark.parametrize(
    "text",
    [
        "News / Afghanistan",
        "News   /   Afghanistan",
        "(AFP photo)",
        "This US Air Forces Central Command photo shows a pair of jets over Iraq (AFP photo).",
        "Press TV’s website can also be accessed at the following alternate addresses:",
        "By John Smith",
        "Reporting by Jane Doe; Editing by Bob Roe",
        "Share this article on Facebook and Twitter.",
        "Subscribe to our newsletter for daily updates.",
        "Click here to read more about the story.",
        "Press TV News Roku",
        "Yes.",
        # captions from theguardian.com.whales (news-dev)
        "- Clockwise from top: small whale bones; squid beaks, from the stomach of a sperm whale; "
        "the baleen filter-feeder system recovered from a bryde’s whale.",
        "- Above, the skull of a bryde’s whale; right, a large-calibre bullet of the type that "
        "the New Zealand Department of Conservation uses to euthanise whales.",
        "Left, the carving shed at the cultural centre.",
    ],
)
def test_boilerplate(text):
    assert is_boilerplate(text)


@pytest.mark.parametrize(
    "text",
    [
        "The campaign has failed to dislodge the group.",
        "Unemployment rose to 7.5 percent in March, the highest level since 2009.",
        "Above all, the report found that emissions rose by 4 percent last year.",
        "Right-wing parties won 40 percent of the seats, the commission said.",
        "Left unchecked, the disease could kill millions of kauri trees, scientists warn.",
    ],
)
def test_not_boilerplate(text):
    assert not is_boilerplate(text)


def test_caption_paragraph_all_boilerplate(seed_result):
    caption = find(seed_result, "Nancy Pelosi")
    assert caption.is_boilerplate and not caption.check_worthy


def test_boilerplate_never_check_worthy(seed_result):
    from claims.extraction import analyse_text

    body = "News / Afghanistan\nThe army lost 3,500 soldiers in 2015, officials said.\n(AFP photo)"
    result = analyse_text(body, threshold=0.0)
    assert [s.is_boilerplate for s in result] == [True, False, True]
    assert [s.check_worthy for s in result] == [False, True, False]
    for s in seed_result:
        if s.is_boilerplate:
            assert not s.check_worthy
    assert find(seed_result, "alternate addresses").is_boilerplate
    assert seed_result[0].is_boilerplate  # "News \xa0 / \xa0 Afghanistan"
    assert find(seed_result, "F-15E").is_boilerplate
