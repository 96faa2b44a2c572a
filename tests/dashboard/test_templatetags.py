"""Presentation helpers: deadlines in words, the highlighted claim, safe links."""

from datetime import timedelta

import pytest
from django.utils import timezone

from claims.templatetags.claims_ui import deadline, deadline_words, highlight, http_url, state_badge

NOW = timezone.now()


@pytest.mark.parametrize(
    "delta,words,css",
    [
        (timedelta(hours=3, minutes=10), "due in 3 h", "due-soon"),
        (timedelta(minutes=20), "due in 20 min", "due-soon"),
        (timedelta(days=2, hours=1), "due in 2 days", "due-later"),
        (timedelta(hours=10), "due in 10 h", "due-later"),
        (-timedelta(days=1, hours=2), "overdue by 1 day", "due-overdue"),
        (-timedelta(hours=5), "overdue by 5 h", "due-overdue"),
        (-timedelta(days=4), "overdue by 4 days", "due-overdue"),
    ],
)
def test_deadline_words(delta, words, css):
    assert deadline_words(NOW + delta, now=NOW) == (words, css)


def test_deadline_shows_exact_time_on_hover_and_only_working_claims_are_overdue():
    due = timezone.now() - timedelta(hours=2)
    html = deadline(due, "in_review")
    assert "overdue by 2 h" in html and 'title="' in html and "due-overdue" in html
    assert "overdue" not in deadline(due, "approved").split(">")[1]
    assert "—" in deadline(None)


def test_highlight_escapes_each_part():
    body = "<b>Hi</b> & x. A <i>claim</i> here. Then <script>y()</script>."
    start = body.index("A <i>")
    end = body.index(" here.") + len(" here.")
    html = str(highlight(body, start, end, mark_id="claim-in-text"))
    assert "<b>" not in html and "<script>" not in html and "<i>" not in html
    assert (
        '<mark class="claim-highlight" id="claim-in-text">A &lt;i&gt;claim&lt;/i&gt; here.' in html
    )
    assert "&amp; x." in html


def test_highlight_with_context_trims_to_sentences():
    body = "One. Two. Three. Claim here. Four. Five. Six."
    start = body.index("Claim")
    html = str(highlight(body, start, start + len("Claim here."), sentences=1))
    assert html.startswith("… Three. <mark")
    assert html.endswith("Four. …")


def test_highlight_with_bad_offsets_shows_plain_escaped_text():
    assert str(highlight("a <b>", 10, 20)) == "a &lt;b&gt;"


def test_http_url_and_state_badge():
    assert http_url("javascript:alert(1)") == ""
    assert http_url("https://example.org/x") == "https://example.org/x"
    assert str(state_badge("in_review")) == '<span class="state state-in_review">In review</span>'
