from datetime import timedelta

import pytest

from reviewers.templatetags.reviewers import duration


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "—"),
        (timedelta(seconds=3.7), "3 s"),
        (timedelta(minutes=45), "45 min"),
        (timedelta(hours=3, minutes=20), "3 h 20 min"),
        (timedelta(days=1, hours=4), "1 day 4 h"),
        (timedelta(days=2), "2 days 0 h"),
    ],
)
def test_duration_reads_like_people_talk(value, words):
    assert duration(value) == words
