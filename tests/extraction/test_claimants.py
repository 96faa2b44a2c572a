import pytest

from claims.extraction import analyse_text

from .conftest import find


@pytest.mark.parametrize(
    "fragment,claimant,method",
    [
        ("were “set up” to be targeted", "Zamir Kabulov", "quotation"),
        ("The Afghan Army practically has no aircraft", "Zamir Kabulov", "quotation_continued"),
        ("Only the Americans do", "Zamir Kabulov", "quotation_continued"),
        ("the official said", "Zamir Kabulov", "coreference"),
        ("someone’s hand is pushing", "Zamir Kabulov", "quotation_continued"),
        ("Kabulov noted", "Zamir Kabulov", "quotation"),
        ("maintaining a long-term goal", "Igor Sergun", "reported_speech"),
        ("He said Daesh", "Igor Sergun", "coreference"),
        ("British and American passports", "Zamir Kabulov", "reported_speech"),
        ("stood at 3,500", "Zamir Kabulov", "coreference"),
        ("lost part of their military capabilities", "Ali Ayoub", "reported_speech"),
        ("recipe for disaster", "Barack Obama", "quotation"),
        ("expressed regret", "Russia’s Foreign Ministry", "organisation"),
        ("Russia Today reported", "Russia Today", "organisation"),
        ("Russian officials have suggested", "Russian officials", "reported_speech"),
    ],
)
def test_demo_article_attribution(seed_result, fragment, claimant, method):
    s = find(seed_result, fragment)
    assert (s.claimant, s.claimant_method) == (claimant, method)


@pytest.mark.parametrize(
    "fragment",
    [
        "The campaign has failed to dislodge the group.",
        "The Takfiris have seized about a third of Iraq",
        "Its elements made their debut",
        "Upon a request from Damascus",
        "Some members of the US-led coalition",
    ],
)
def test_article_own_assertions_have_no_claimant(seed_result, fragment):
    s = find(seed_result, fragment)
    assert s.claimant is None and s.claimant_method == ""


def by_text(body):
    return [(s.claimant, s.claimant_method) for s in analyse_text(body)]


def test_said_after_name_and_inverted():
    body = (
        "Health minister Jane Mbeki spoke on Monday. "
        "“Vaccination rates rose by 40 percent last year,” said Mbeki. "
        "The rise was the largest on record, the minister added."
    )
    assert by_text(body) == [
        (None, ""),
        ("Jane Mbeki", "quotation"),
        ("Jane Mbeki", "coreference"),
    ]


def test_according_to():
    body = "Exports fell by 12 percent in 2019, according to the ministry of trade."
    assert by_text(body) == [("the ministry of trade", "according_to")]


def test_quote_attributed_in_first_sentence():
    body = (
        "Senator Maria Lopez told reporters: “The bill cuts taxes for 90 percent of families. "
        "It also ends the estate tax.”"
    )
    assert by_text(body) == [("Maria Lopez", "quotation"), ("Maria Lopez", "quotation_continued")]


def test_she_resolves_to_most_recent_person():
    body = (
        "Anna Berg, the finance minister, presented the budget. "
        "Prime Minister Olaf Lind welcomed it. "
        "She said the deficit would fall to 2 percent next year."
    )
    assert by_text(body)[-1] == ("Olaf Lind", "coreference")


def test_plural_they_is_not_a_claimant():
    body = "Since 2014, the allies have struck what they say are militant positions."
    assert by_text(body) == [(None, "")]


@pytest.mark.parametrize("body,expected", [
    # A bare plural names no one: not a claimant (news-dev labels these the article's own).
    ("Officials said on Monday that 40 people had died.", [(None, "")]),
    ("Mr. Johnson told reporters that the budget was balanced.",
     [("Johnson", "reported_speech")]),
    ("President Putin said Russia would respond. He added that sanctions had failed.",
     [("Putin", "reported_speech"), ("Putin", "coreference")]),
    ("Talks with Mr. Lavrov ended, the ministry said.", [("the ministry", "organisation")]),
    ("Russia's Foreign Ministry met on Monday. Sanctions have failed, the ministry said.",
     [(None, ""), ("Russia's Foreign Ministry", "organisation")]),
    ("It is said that the bridge was built in 1850.", [(None, "")]),
    ("Inflation rose to 5 percent in May, the highest since 2008.", [(None, "")]),
])  # fmt: skip
def test_more_attribution_patterns(body, expected):
    assert by_text(body) == expected


def test_straight_quotes_over_sentences_attributed_after():
    body = ('"Prices doubled in 2021. Wages did not," Finance Minister Ana Silva said. '
            "Markets closed higher on Friday.")  # fmt: skip
    assert by_text(body) == [
        ("Ana Silva", "quotation_continued"),
        ("Ana Silva", "quotation"),
        (None, ""),
    ]
