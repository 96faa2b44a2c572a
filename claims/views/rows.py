"""Rows of the dashboard's lists as plain values, their HTML pieces made once in Python.

A list of 50 or 100 claims rendered through template tags and model attribute lookups costs
several times its SQL query; here each row is a dict of strings (escaped by the template) and
of small HTML pieces made by the same functions the template tags use (`format_html`, which
escapes every value), so the template's loop only prints them.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from claims.models import Claim
from claims.templatetags.claims_ui import deadline, percent, state_badge, when

PRIORITY_LABELS = dict(Claim.Priority.choices)
_DASH = format_html('<span class="muted">{}</span>', "—")


def claim_url_maker():
    """pk -> the claim page's address, reversing the URL once (not once a row)."""
    marker = 987654321
    before, after = reverse("claims:claim", args=[marker]).split(str(marker))
    return lambda pk: f"{before}{pk}{after}"


def _list_rating(verdict, *, is_editor: bool):
    # A current draft's rating is shown to editors only, marked as a draft.
    if verdict is None or not verdict[2]:
        return _DASH
    state, _label, rating = verdict
    if state != "draft":
        return format_html('<span class="rating">{}</span>', rating)
    if is_editor:
        return format_html(
            '<span class="rating">{}</span> <span class="muted">(draft)</span>', rating
        )
    return _DASH


def claim_list_rows(values, topics: dict, verdicts: dict, *, is_editor: bool) -> list[dict]:
    """The claims list's rows (claims/claim_list.html)."""
    url = claim_url_maker()
    rows = []
    for v in values:
        pk, state = v["pk"], v["state"]
        rows.append(
            {
                "pk": pk,
                "version": v["version"],
                "url": url(pk),
                "text": Truncator(v["text"]).chars(130),
                "claimant": v["claimant"] or "Unattributed",
                "publisher": v["article__publisher"] or "unknown outlet",
                "topics": ", ".join(topics.get(pk, ())),
                "state": state_badge(state),
                "priority": v["priority"],
                "priority_label": PRIORITY_LABELS.get(v["priority"], v["priority"]),
                "score": percent(v["score"]),
                "assignee": v["assignee__username"],
                "due": deadline(v["due_at"], state),
                "rating": _list_rating(verdicts.get(pk), is_editor=is_editor),
                "filed": when(v["created_at"]),
            }
        )
    return rows


def queue_rows(values, verdicts: dict) -> list[dict]:
    """A fact-checker's queue (claims/home.html)."""
    url = claim_url_maker()
    rows = []
    for v in values:
        pk, state = v["pk"], v["state"]
        verdict = verdicts.get(pk)
        if verdict is not None and verdict[2]:
            rating = format_html(
                '<span class="rating">{}</span> <span class="muted">({})</span>',
                verdict[2],
                str(verdict[1]).lower(),
            )
        else:
            rating = format_html('<span class="muted">{}</span>', "none yet")
        rows.append(
            {
                "pk": pk,
                "state_value": state,
                "url": url(pk),
                "text": Truncator(v["text"]).chars(140),
                "claimant": v["claimant"] or "Unattributed",
                "state": state_badge(state),
                "priority": v["priority"],
                "priority_label": PRIORITY_LABELS.get(v["priority"], v["priority"]),
                "due": deadline(v["due_at"], state),
                "rating": rating,
                "article_title": Truncator(v["article__title"] or "Untitled article").chars(60),
                "publisher": v["article__publisher"],
            }
        )
    return rows
