"""What every dashboard page pays besides its main query (issue 13), made cheaper without
changing what a page shows: rows written with `html.escape` (the same markup as
`format_html` and the template tags), fragments kept per distinct input (filter bar, bulk
bars, queue filters, site header), a page's small lookups and the header's counts in one
query, and the session read with one plain statement."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from claims.models import Claim, Topic
from claims.templatetags.claims_ui import deadline, percent, state_badge, when
from claims.views import rows
from reviewers import notifications
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db
S = Claim.State
EVIL = "<script>alert(\"x\")</script> & 'q'"
DASH = mark_safe('<span class="muted">—</span>')


# --- Rows: the same HTML as format_html and the template tags, every value escaped -----------


def _reference_list_row(v, names, *, is_editor, can_bulk):
    """The claims list's row as the format_html version wrote it."""
    pick = (
        format_html(
            '<td><input type="checkbox" name="claims" value="{}" aria-label="Select claim {}">'
            '<input type="hidden" name="v_{}" value="{}"></td>',
            v["pk"],
            v["pk"],
            v["pk"],
            v["version"],
        )
        if can_bulk
        else ""
    )
    rating = DASH
    if v["verdict_rating"] and v["verdict_state"] != "draft":
        rating = format_html('<span class="rating">{}</span>', v["verdict_rating"])
    elif v["verdict_rating"] and is_editor:
        rating = format_html(
            '<span class="rating">{}</span> <span class="muted">(draft)</span>', v["verdict_rating"]
        )
    return format_html(
        """
    <tr data-row>
      {}<td class="num" data-label="Id">{}</td>
      <td><a data-row-link href="{}">{}</a>
        <div class="muted">{} · {}{}</div></td>
      <td>{}</td>
      <td data-label="Priority">{}</td>
      <td class="num" data-label="Score">{}</td>
      <td data-label="Assignee">{}</td>
      <td data-label="Due">{}</td>
      <td data-label="Rating">{}</td>
      <td data-label="Filed">{}</td>
    </tr>""",
        pick,
        v["pk"],
        f"/claims/{v['pk']}/",
        Truncator(v["text"]).chars(130),
        v["claimant"] or "Unattributed",
        v["article__publisher"] or "unknown outlet",
        " · " + ", ".join(names) if names else "",
        state_badge(v["state"]),
        format_html(
            '<span class="priority priority-{}">{}</span>',
            v["priority"],
            dict(Claim.Priority.choices).get(v["priority"], v["priority"]),
        ),
        percent(v["score"]),
        v["assignee__username"] or DASH,
        deadline(v["due_at"], v["state"]),
        rating,
        when(v["created_at"]),
    )


def _values(now):
    out = []
    cases = [
        ("open", "high", None, None, None, "short", 0.5),
        ("assigned", "normal", "draft", "True", now + timedelta(hours=3), EVIL * 10, None),
        ("published", "low", "approved", EVIL, now - timedelta(days=3), "e\u0301" * 140, 0.25),
        ("in_review", "urgent", "submitted", "False", now - timedelta(minutes=5), "x" * 131, 1.0),
        ("state<x>", "odd>", "returned", "Half", now + timedelta(days=40), "y" * 130, 0.0),
    ]
    for n, (state, priority, verdict_state, rating, due, text, score) in enumerate(cases, 1):
        out.append(
            {
                "pk": n,
                "version": n,
                "text": text,
                "claimant": EVIL if n % 2 else "",
                "state": state,
                "priority": priority,
                "score": score,
                "due_at": due,
                "assignee__username": EVIL if n % 2 else None,
                "article__publisher": EVIL if n > 1 else None,
                "article__title": EVIL * 5 if n > 1 else None,
                "verdict_state": verdict_state,
                "verdict_rating": rating,
                "created_at": now - timedelta(seconds=30 if n == 1 else 4000 * n),
            }
        )
    return out


@pytest.mark.parametrize("is_editor", [True, False])
@pytest.mark.parametrize("can_bulk", [True, False])
def test_list_rows_are_what_format_html_wrote(is_editor, can_bulk):
    values = _values(timezone.now())
    topics = {2: [EVIL, "b"], 3: ["a"]}
    expected = "".join(
        _reference_list_row(v, topics.get(v["pk"]), is_editor=is_editor, can_bulk=can_bulk)
        for v in values
    )
    html = rows.claim_list_rows(values, topics, is_editor=is_editor, can_bulk=can_bulk)
    assert html == expected
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_queue_rows_escape_every_value():
    values = _values(timezone.now())
    for row, v in zip(rows.queue_rows(values), values, strict=True):
        html = str(row["html"])
        assert "<script>" not in html
        if v["claimant"]:
            assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;" in html
        assert state_badge(v["state"]) in html and deadline(v["due_at"], v["state"]) in html


def test_sentence_rows_escape_every_value(checker):
    article = ArticleFactory(body="x")
    claim = ClaimFactory(
        article=article,
        text=EVIL,
        claimant=EVIL,
        triage_reason=EVIL,
        state=S.ASSIGNED,
        assignee=checker,
    )
    claim.topics.add(Topic.objects.create(slug="evil", name=EVIL))
    shown, low = rows.sentence_rows(
        Claim.objects.filter(pk=claim.pk).select_related("assignee").prefetch_related("topics"),
        can_triage=True,
        selected={claim.pk},
    )
    html = "".join(shown + low)
    assert "<script>" not in html and html.count("&lt;script&gt;") == 4
    assert f'value="{claim.pk}" id="pick-{claim.pk}" checked' in html


# --- Fragments: kept per distinct input, never stale -----------------------------------------


def test_the_filter_bar_shows_a_new_topic_on_the_next_page(editor_client):
    html = editor_client.get(reverse("claims:claims")).content.decode()
    assert "Brand new topic" not in html
    Topic.objects.create(slug="brand-new", name="Brand new topic")
    html = editor_client.get(reverse("claims:claims")).content.decode()
    assert '<option value="brand-new">Brand new topic</option>' in html
    html = editor_client.get(reverse("claims:claims"), {"topic": "brand-new"}).content.decode()
    assert '<option value="brand-new" selected>Brand new topic</option>' in html


def test_the_queue_filters_and_bulk_bars_follow_the_data(checker_client, editor_client, checker):
    Topic.objects.create(slug="zz-new", name="Zz new")
    assert '<option value="zz-new" >Zz new</option>' in checker_client.get("/").content.decode()
    ClaimFactory(state=S.OPEN)
    checker.username = "renamed-checker"
    checker.save()
    assert ">renamed-checker</option>" in editor_client.get("/claims/").content.decode()


def test_the_header_follows_the_counts_and_carries_this_requests_csrf_token(editor, checker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    first = client.get(reverse("claims:claims")).content.decode()
    assert 'aria-label="0 unread"' in first
    notifications.notify([editor], kind="x", message="one")
    second = client.get(reverse("claims:claims")).content.decode()
    assert 'aria-label="1 unread"' in second
    token = re.search(
        r'action="/accounts/logout/"><input type="hidden" name="csrfmiddlewaretoken" '
        r'value="([A-Za-z0-9]{64})">',
        second,
    )
    assert token, "the logout form carries a real token"
    # the page's own forms and htmx's header carry the same one (masked once a page)
    assert set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', second)) == {
        token.group(1)
    }
    assert f'"X-CSRFToken": "{token.group(1)}"' in second
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_the_header_marks_the_current_page_and_keeps_the_search_text(editor_client):
    html = editor_client.get("/claims/", {"q": EVIL}).content.decode()
    assert 'href="/claims/" aria-current="page">Claims' in html
    assert 'value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;"' in html
    html = editor_client.get("/ingest/").content.decode()
    assert 'href="/ingest/" aria-current="page">Ingest' in html
    assert 'href="/claims/" aria-current' not in html and 'name="q" placeholder' in html


# --- Sessions read with one plain statement -------------------------------------------------


def test_an_expired_or_unknown_session_is_signed_out(editor):
    client = Client()
    client.force_login(editor)
    assert client.get("/claims/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/claims/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.cookies["sessionid"] = "no-such-session-key"
    assert client.get("/claims/").status_code == 302


def test_the_article_page_reads_the_page_asked_for(client, editor):
    client.force_login(editor)
    article = ArticleFactory(body="x")
    Claim.objects.bulk_create(
        Claim(
            article=article,
            text=f"Sentence {n}.",
            position=n,
            start_offset=0,
            end_offset=1,
            state=S.OPEN,
        )
        for n in range(250)
    )
    url = f"/articles/{article.pk}/"
    asked_and_shown = (("", 1), ("2", 2), ("x", 1), ("0", 3), ("99", 3), ("-1", 3), ("1e3", 1))
    for asked, shown in (*asked_and_shown, (str(10**20), 3)):
        html = client.get(url, {"page": asked} if asked else {}).content.decode()
        assert f"Page {shown} of 3" in html
        assert f"Sentence {(shown - 1) * 100}." in html
    assert "(250: 250 open, 0 candidates)" in html


# --- The queue: its SQL compiled once, each reader's own rows ----------------------------------


def test_the_queue_compiled_once_reads_each_readers_own_rows_as_the_orm_does(checker, checker2):
    from claims.selectors import lists as selectors

    article = ArticleFactory(title=EVIL, publisher="P")
    mine = [
        ClaimFactory(article=article, state=state, assignee=checker)
        for state in (S.ASSIGNED, S.IN_REVIEW, S.SUBMITTED)
    ]
    theirs = ClaimFactory(article=article, state=S.ASSIGNED, assignee=checker2)
    ClaimFactory(article=article, state=S.OPEN)
    for user, states, expected in [
        (checker, None, {c.pk for c in mine}),
        (checker, ["in_review", "nonsense"], {mine[1].pk}),
        (checker2, None, {theirs.pk}),
        (checker, None, {c.pk for c in mine}),
    ]:
        got = selectors.queue_for(user, states=states)
        assert {v["pk"] for v in got} == expected
        wanted = [s for s in (states or []) if s in selectors.QUEUE_STATES]
        orm = selectors._queue_queryset(user.pk, wanted or selectors.QUEUE_STATES, None, 100)
        assert got == list(orm)
        assert set(got[0]) == {*selectors.QUEUE_ROW_FIELDS, "verdict_state", "verdict_rating"}


def test_truncate_chars_is_truncatechars():
    from django.template.defaultfilters import truncatechars

    from claims.templatetags.claims_ui import truncate_chars

    for text in [
        "short",
        "x" * 100,
        "x" * 101,
        "e\u0301" * 100,
        "e\u0301" * 101,
        "Cafe\u0301 " * 30,
    ]:
        for length in (1, 60, 100, 140):
            assert truncate_chars(text, length) == truncatechars(text, length)


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata"])
def test_the_rows_exact_time_is_strftimes_in_every_zone_and_season(settings, zone):
    """rows._Times writes strftime("%Y-%m-%d %H:%M %Z") out by hand: the same text in a zone
    with summer time (both seasons), a half-hour offset, and an old year (unpadded, as %Y)."""
    from datetime import UTC, datetime

    settings.TIME_ZONE = zone
    with timezone.override(zone):
        times = rows._Times()
        for moment in [
            datetime(2026, 1, 15, 23, 59, 59, tzinfo=UTC),
            datetime(2026, 7, 1, 0, 5, tzinfo=UTC),
            datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # London's clocks go forward
            datetime(999, 5, 6, 7, 8, tzinfo=UTC),
        ]:
            expected = timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")
            assert times._exact(moment) == expected
            assert f'title="{expected}"' in times.when(moment)
            assert times.deadline(moment) == deadline(moment)


def test_the_escaped_claim_address_is_the_escaped_reversed_one():
    from django.urls import clear_script_prefix, reverse, set_script_prefix

    set_script_prefix("/a&b<c>/")
    try:
        address = reverse("claims:claim", args=[42])
        assert rows.claim_url_maker()(42) == address
        assert rows.claim_url_maker(escaped=True)(42) == str(format_html("{}", address))
        assert rows.claim_url_maker(escaped=True)(42).startswith("/a&amp;b")
    finally:
        clear_script_prefix()
