"""Rows of the dashboard's lists, each written once in Python as one escaped HTML string.

A list of 50 or 100 claims rendered through the template engine costs several times its SQL
query: each row is a dozen variable lookups, filters and template tags, each escaped and
localised on its own. Here a row is one `format_html` call over plain values read by the
page's query: every value from a person or an article is escaped by `format_html`, and the
badges, deadlines and times come from the same functions the template tags use. The markup is
the markup the templates had.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from claims.models import Claim, Verdict
from claims.templatetags.claims_ui import deadline, percent, state_badge, when

PRIORITY_LABELS = dict(Claim.Priority.choices)
DISMISS_REASONS = dict(Claim.DismissReason.choices)
_DASH = mark_safe('<span class="muted">—</span>')  # noqa: S308 (a constant)


def claim_url_maker():
    """pk -> the claim page's address, reversing the URL once (not once a row)."""
    marker = 987654321
    before, after = reverse("claims:claim", args=[marker]).split(str(marker))
    return lambda pk: f"{before}{pk}{after}"


def _priority(priority: str) -> SafeString:
    return format_html(
        '<span class="priority priority-{}">{}</span>',
        priority,
        PRIORITY_LABELS.get(priority, priority),
    )


def _list_rating(state, rating, *, is_editor: bool) -> SafeString:
    # A current draft's rating is shown to editors only, marked as a draft.
    if not rating:
        return _DASH
    if state != "draft":
        return format_html('<span class="rating">{}</span>', rating)
    if is_editor:
        return format_html(
            '<span class="rating">{}</span> <span class="muted">(draft)</span>', rating
        )
    return _DASH


_PICK = (
    '<td><input type="checkbox" name="claims" value="{}" aria-label="Select claim {}">'
    '<input type="hidden" name="v_{}" value="{}"></td>'
)
_CLAIM_LIST_ROW = """
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
    </tr>"""


def claim_list_rows(values, topics: dict, *, is_editor: bool, can_bulk: bool) -> list[SafeString]:
    """The claims list's rows (claims/claim_list.html)."""
    url = claim_url_maker()
    rows = []
    for v in values:
        pk, state = v["pk"], v["state"]
        names = topics.get(pk)
        rows.append(
            format_html(
                _CLAIM_LIST_ROW,
                format_html(_PICK, pk, pk, pk, v["version"]) if can_bulk else "",
                pk,
                url(pk),
                Truncator(v["text"]).chars(130),
                v["claimant"] or "Unattributed",
                v["article__publisher"] or "unknown outlet",
                " · " + ", ".join(names) if names else "",
                state_badge(state),
                _priority(v["priority"]),
                percent(v["score"]),
                v["assignee__username"] or _DASH,
                deadline(v["due_at"], state),
                _list_rating(v["verdict_state"], v["verdict_rating"], is_editor=is_editor),
                when(v["created_at"]),
            )
        )
    return rows


_QUEUE_ROW = """
  <tr data-row>
    <td data-label="Due">{}</td>
    <td><a data-row-link href="{}">{}</a>
      <div class="muted">{}</div></td>
    <td>{}</td>
    <td data-label="Rating so far">{}</td>
    <td data-label="Priority">{}</td>
    <td data-label="Article">{}<div class="muted">{}</div></td>
  </tr>"""


VERDICT_STATES = dict(Verdict.State.choices)


def queue_rows(values) -> list[dict]:
    """A fact-checker's queue (claims/home.html): each row's HTML, state and address."""
    url = claim_url_maker()
    rows = []
    for v in values:
        pk, state = v["pk"], v["state"]
        if v["verdict_rating"]:
            verdict_state = v["verdict_state"]
            rating = format_html(
                '<span class="rating">{}</span> <span class="muted">({})</span>',
                v["verdict_rating"],
                str(VERDICT_STATES.get(verdict_state, verdict_state)).lower(),
            )
        else:
            rating = mark_safe('<span class="muted">none yet</span>')  # noqa: S308 (a constant)
        rows.append(
            {
                "state": state,
                "url": url(pk),
                "html": format_html(
                    _QUEUE_ROW,
                    deadline(v["due_at"], state),
                    url(pk),
                    Truncator(v["text"]).chars(140),
                    v["claimant"] or "Unattributed",
                    state_badge(state),
                    rating,
                    _priority(v["priority"]),
                    Truncator(v["article__title"] or "Untitled article").chars(60),
                    v["article__publisher"],
                ),
            }
        )
    return rows


_SENTENCE_PICK = (
    '<td><input type="checkbox" name="claims" value="{}" id="pick-{}" {} '
    'aria-label="Select sentence {}"><input type="hidden" name="v_{}" value="{}"></td>'
)
_SENTENCE_ROW = """
      <tr data-row>
        {}<td class="num">{}</td>
        <td><a data-row-link href="{}">{}</a>{}</td>
        <td><span class="score"><span class="score-bar" aria-hidden="true"><span style="width: {}"></span></span>{}</span>{}</td>
        <td>{}</td>
        <td>{}{}</td>
        <td>{}</td>
        <td>{}</td>
      </tr>"""  # noqa: E501 (one table row, as the template had it)


def sentence_rows(claims, *, can_triage: bool, selected) -> tuple[list, list]:
    """The article page's sentences (claims/article_detail.html): the rows shown, and the
    rows below the candidate threshold (shown collapsed)."""
    url = claim_url_maker()
    shown, low = [], []
    for claim in claims:
        pk, number = claim.pk, claim.position + 1
        score = percent(claim.score)
        names = [t.name for t in claim.topics.all()]
        html = format_html(
            _SENTENCE_ROW,
            format_html(
                _SENTENCE_PICK,
                pk,
                pk,
                "checked" if pk in selected else "",
                number,
                pk,
                claim.version,
            )
            if can_triage
            else "",
            number,
            url(pk),
            claim.text,
            format_html(
                '<div class="muted">Dismissed: {}</div>',
                DISMISS_REASONS.get(claim.dismiss_reason, claim.dismiss_reason),
            )
            if claim.dismiss_reason
            else "",
            score,
            score,
            format_html('<div class="muted triage-reason">{}</div>', claim.triage_reason)
            if claim.triage_reason
            else "",
            claim.claimant or "—",
            state_badge(claim.state),
            format_html('<div class="muted">{}</div>', claim.assignee.get_username())
            if claim.assignee_id
            else "",
            _priority(claim.priority),
            ", ".join(names) if names else _DASH,
        )
        (low if getattr(claim, "triage_band", "") == "low" else shown).append(html)
    return shown, low
