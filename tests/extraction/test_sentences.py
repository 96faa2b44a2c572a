import pytest

from claims.extraction import split_sentences


def texts(body):
    return [body[s:e] for s, e in split_sentences(body)]


def test_offsets_are_exact(seed_text):
    spans = split_sentences(seed_text)
    assert len(spans) > 25
    for start, end in spans:
        piece = seed_text[start:end]
        assert piece == piece.strip() and piece
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


@pytest.mark.parametrize(
    "body,expected",
    [
        ("The U.S. Army said so. It was late.", ["The U.S. Army said so.", "It was late."]),
        (
            "Gen. Smith and Col. Jones met Lt. Col. Brown. He left.",
            ["Gen. Smith and Col. Jones met Lt. Col. Brown.", "He left."],
        ),
        ("The No. 1 team won. Sen. Warren spoke.", ["The No. 1 team won.", "Sen. Warren spoke."]),
        (
            "Troops left the U.S. on Monday. They flew.",
            ["Troops left the U.S. on Monday.", "They flew."],
        ),
    ],
)
def test_abbreviations(body, expected):
    assert texts(body) == expected


def test_paragraphs_never_join():
    body = "A headline without a full stop\nThe body starts here. It goes on."
    assert texts(body) == ["A headline without a full stop", "The body starts here.", "It goes on."]


def test_quotation_over_sentences_keeps_quote_marks_with_sentence():
    body = "He said: “We are here. We will stay.” Then he left."
    assert texts(body) == ["He said: “We are here.", "We will stay.”", "Then he left."]


def test_opening_bracket_starts_next_sentence():
    body = "Leaders met in Washington, DC. (AFP photo)"
    assert texts(body) == ["Leaders met in Washington, DC.", "(AFP photo)"]


def test_offsets_with_leading_whitespace_and_crlf():
    body = "  First one here.\r\n\r\n   Second one here.  "
    spans = split_sentences(body)
    assert [body[s:e] for s, e in spans] == ["First one here.", "Second one here."]


def test_empty():
    assert split_sentences("") == []
    assert split_sentences("\n\n  \n") == []
