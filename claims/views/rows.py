"""Rows of the dashboard's lists, each written once in Python as one escaped HTML string.

A list of 50 or 100 claims rendered through the template engine costs several times its SQL
query: each row is a dozen variable lookups, filters and template tags, each escaped and
localised on its own. Here a row is one f-string over plain values read by the page's query:
every value from a person or an article goes through `_e` (`html.escape`, what Django's
`escape` and `format_html` call, without their per-value wrappers), and the badges, deadlines
and times are the same markup the template tags (claims.templatetags.claims_ui) write, from
the same words. The markup is the markup the templates had; tests/dashboard/test_rows.py holds
each row equal to the template tags' and `format_html`'s output.
"""

from __future__ import annotations

from datetime import datetime
from html import escape as _html_escape

from django.template.defaultfilters import linebreaks_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from claims.models import Claim, Evidence, Verdict
from claims.templatetags.claims_ui import (
    STATE_LABELS,
    _amount,
    deadline_words,
    evidence_problem,
    evidence_quote,
    http_url,
    percent,
    truncate_chars,
)

PRIORITY_LABELS = dict(Claim.Priority.choices)
STANCE_LABELS = dict(Evidence.Stance.choices)
DISMISS_REASONS = dict(Claim.DismissReason.choices)
_DASH = mark_safe('<span class="muted">—</span>')  # noqa: S308 (a constant)


def _e(value) -> str:
    """`conditional_escape` for one value: HTML already marked safe as it is, anything else
    escaped (`&<>"'`, as Django's `escape`)."""
    if type(value) is str:  # a plain string (a SafeString is a subclass): the common case
        return _html_escape(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return _html_escape(str(value))


def _badges() -> dict[str, str]:
    # claims_ui.state_badge for every state, written once.
    return {
        state: f'<span class="state state-{_e(state)}">{_e(label)}</span>'
        for state, label in STATE_LABELS.items()
    }


_STATE_BADGES = _badges()
_PRIORITIES = {
    priority: f'<span class="priority priority-{_e(priority)}">{_e(label)}</span>'
    for priority, label in PRIORITY_LABELS.items()
}


def _state_badge(state) -> str:
    """claims_ui.state_badge."""
    badge = _STATE_BADGES.get(state)
    if badge is None:
        badge = f'<span class="state state-{_e(state)}">{_e(STATE_LABELS.get(state, state))}</span>'
    return badge


def _priority(priority) -> str:
    badge = _PRIORITIES.get(priority)
    if badge is None:
        label = PRIORITY_LABELS.get(priority, priority)
        badge = f'<span class="priority priority-{_e(priority)}">{_e(label)}</span>'
    return badge


class _Times:
    """claims_ui.deadline and claims_ui.when for the rows of one page: the current time zone
    and the time read once, not once a row."""

    def __init__(self):
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()

    def _exact(self, moment: datetime) -> str:
        # timezone.localtime(moment): moment is aware (USE_TZ), so it is astimezone(tz); then
        # strftime("%Y-%m-%d %H:%M %Z") written out (half its cost; the year unpadded, as %Y).
        local = moment.astimezone(self.tz)
        return _e(
            "%d-%02d-%02d %02d:%02d %s"  # noqa: UP031 (the fastest way to write it)
            % (local.year, local.month, local.day, local.hour, local.minute, local.tzname() or "")
        )

    def deadline(self, due_at: datetime | None, state: str = "") -> str:
        if due_at is None:
            return '<span class="due due-none">—</span>'
        exact = self._exact(due_at)
        words, css = deadline_words(due_at, self.now)
        if state and state not in Claim.WORKING_STATES:
            css = "due-later"
            words = f"was due {exact}" if words.startswith("overdue") else _e(words)
        else:
            words = _e(words)
        # css: one of deadline_words' class names; isoformat: digits and -:+.T only.
        return (
            f'<time class="due {css}" datetime="{due_at.isoformat()}" '
            f'title="{exact}">{words}</time>'
        )

    def when(self, moment: datetime | None) -> str:
        if moment is None:
            return "—"
        exact = self._exact(moment)
        ago = self.now - moment
        words = "just now" if ago.total_seconds() < 60 else _e(f"{_amount(ago)} ago")
        return f'<time datetime="{moment.isoformat()}" title="{exact}">{words}</time>'


def claim_url_maker(*, escaped: bool = False):
    """pk (an int) -> the claim page's address, reversing the URL once (not once a row); with
    `escaped`, the address escaped for HTML (its two fixed parts escaped once)."""
    marker = 987654321
    before, after = reverse("claims:claim", args=[marker]).split(str(marker))
    if escaped:
        before, after = _e(before), _e(after)
    return lambda pk: f"{before}{pk}{after}"


def _list_rating(state, rating, *, is_editor: bool) -> str:
    # A current draft's rating is shown to editors only, marked as a draft.
    if not rating:
        return _DASH
    if state != "draft":
        return f'<span class="rating">{_e(rating)}</span>'
    if is_editor:
        return f'<span class="rating">{_e(rating)}</span> <span class="muted">(draft)</span>'
    return _DASH


def claim_list_rows(values, topics: dict, *, is_editor: bool, can_bulk: bool) -> SafeString:
    """The claims list's rows (claims/claim_list.html), as one HTML string."""
    url = claim_url_maker(escaped=True)
    times = _Times()
    rows = []
    for v in values:
        pk, state, version = int(v["pk"]), v["state"], int(v["version"])
        names = topics.get(pk)
        pick = (
            f'<td><input type="checkbox" name="claims" value="{pk}" aria-label="Select claim '
            f'{pk}"><input type="hidden" name="v_{pk}" value="{version}"></td>'
            if can_bulk
            else ""
        )
        topic_names = f" · {_e(', '.join(names))}" if names else ""
        rows.append(
            f"""
    <tr data-row>
      {pick}<td class="num" data-label="Id">{pk}</td>
      <td><a data-row-link href="{url(pk)}">{_e(truncate_chars(v["text"], 130))}</a>
        <div class="muted">{_e(v["claimant"] or "Unattributed")} · {
                _e(v["article__publisher"] or "unknown outlet")
            }{topic_names}</div></td>
      <td>{_state_badge(state)}</td>
      <td data-label="Priority">{_priority(v["priority"])}</td>
      <td class="num" data-label="Score">{_e(percent(v["score"]))}</td>
      <td data-label="Assignee">{_e(v["assignee__username"] or _DASH)}</td>
      <td data-label="Due">{times.deadline(v["due_at"], state)}</td>
      <td data-label="Rating">{
                _list_rating(v["verdict_state"], v["verdict_rating"], is_editor=is_editor)
            }</td>
      <td data-label="Filed">{times.when(v["created_at"])}</td>
    </tr>"""
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped above)


VERDICT_STATES = dict(Verdict.State.choices)
_NO_RATING = '<span class="muted">none yet</span>'


def queue_rows(values) -> list[dict]:
    """A fact-checker's queue (claims/home.html): each row's HTML, state and address."""
    url, escaped_url = claim_url_maker(), claim_url_maker(escaped=True)
    times = _Times()
    rows = []
    for v in values:
        pk, state = int(v["pk"]), v["state"]
        if v["verdict_rating"]:
            verdict_state = v["verdict_state"]
            said = str(VERDICT_STATES.get(verdict_state, verdict_state)).lower()
            rating = (
                f'<span class="rating">{_e(v["verdict_rating"])}</span> '
                f'<span class="muted">({_e(said)})</span>'
            )
        else:
            rating = _NO_RATING
        html = f"""
  <tr data-row>
    <td data-label="Due">{times.deadline(v["due_at"], state)}</td>
    <td><a data-row-link href="{escaped_url(pk)}">{_e(truncate_chars(v["text"], 140))}</a>
      <div class="muted">{_e(v["claimant"] or "Unattributed")}</div></td>
    <td>{_state_badge(state)}</td>
    <td data-label="Rating so far">{rating}</td>
    <td data-label="Priority">{_priority(v["priority"])}</td>
    <td data-label="Article">{
            _e(truncate_chars(v["article__title"] or "Untitled article", 60))
        }<div class="muted">{_e(v["article__publisher"])}</div></td>
  </tr>"""
        rows.append({"state": state, "url": url(pk), "html": SafeString(html)})  # escaped above
    return rows


def sentence_rows(
    claims, *, can_triage: bool, selected, topic_names: dict | None = None
) -> tuple[list, list]:
    """The article page's sentences (claims/article_detail.html): the rows shown, and the
    rows below the candidate threshold (shown collapsed). Each claim's topics by name: from
    `topic_names` (claim id -> names) when given, else its prefetched `topics`."""
    url = claim_url_maker(escaped=True)
    shown, low = [], []
    for claim in claims:
        pk, number = int(claim.pk), int(claim.position) + 1
        score = _e(percent(claim.score))
        if topic_names is not None:
            names = topic_names.get(pk, ())
        else:
            names = [t.name for t in claim.topics.all()]
        pick = (
            f'<td><input type="checkbox" name="claims" value="{pk}" id="pick-{pk}" '
            f'{"checked" if pk in selected else ""} aria-label="Select sentence {number}">'
            f'<input type="hidden" name="v_{pk}" value="{int(claim.version)}"></td>'
            if can_triage
            else ""
        )
        dismissed = (
            f'<div class="muted">Dismissed: '
            f"{_e(DISMISS_REASONS.get(claim.dismiss_reason, claim.dismiss_reason))}</div>"
            if claim.dismiss_reason
            else ""
        )
        reason = (
            f'<div class="muted triage-reason">{_e(claim.triage_reason)}</div>'
            if claim.triage_reason
            else ""
        )
        assignee = (
            f'<div class="muted">{_e(claim.assignee.get_username())}</div>'
            if claim.assignee_id
            else ""
        )
        html = f"""
      <tr data-row>
        {pick}<td class="num">{number}</td>
        <td><a data-row-link href="{url(pk)}">{_e(claim.text)}</a>{dismissed}</td>
        <td><span class="score"><span class="score-bar" aria-hidden="true"><span style="width: {
            score
        }"></span></span>{score}</span>{reason}</td>
        <td>{_e(claim.claimant or "—")}</td>
        <td>{_state_badge(claim.state)}{assignee}</td>
        <td>{_priority(claim.priority)}</td>
        <td>{_e(", ".join(names)) if names else _DASH}</td>
      </tr>"""
        row = mark_safe(html)  # noqa: S308 (every value escaped above)
        (low if getattr(claim, "triage_band", "") == "low" else shown).append(row)
    return shown, low


def _stance(stance) -> str:
    """claims_ui.stance_badge."""
    label = STANCE_LABELS.get(stance, stance)
    return f'<span class="stance stance-{_e(stance)}">{_e(label)}</span>'


def _evidence_item(ev) -> str:
    href = http_url(ev.url)
    if href:
        shown = truncate_chars(ev.title or ev.url, 90)
        link = f'<a href="{_e(href)}" rel="noopener noreferrer nofollow">{_e(shown)}</a>'
    else:
        link = _e(ev.title)
    excerpt = ""
    if ev.excerpt:
        unverified = (
            f'<p class="warning" role="note">Unverified quote: {_e(evidence_quote(ev))}.</p>'
            if ev.quote_status != "found"
            else ""
        )
        excerpt = (
            f"<blockquote>{_e(truncate_chars(ev.excerpt, 300))}</blockquote>\n        {unverified}"
        )
    problem = evidence_problem(ev)
    problem = f'<p class="warning" role="note">{_e(problem)}</p>' if problem else ""
    return f"\n      <li>{_stance(ev.stance)} {link}{excerpt}\n        {problem}</li>\n      "


def csrf_input(token) -> str:
    """`{% csrf_token %}` for the page's `token` (the context's `csrf_token`, masked once a
    page): its hidden input, or nothing where the request has none ("NOTPROVIDED")."""
    if not token or str(token) == "NOTPROVIDED":  # noqa: S105 (Django's word, not a password)
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{_e(str(token))}">'


def approval_panels(items, *, approvals_required: int, csrf_token: str) -> SafeString:
    """The approvals page's panels (claims/approvals.html), one per item of the view (claim,
    its current verdict with rating, author and votes, its evidence, the decision form), as
    one HTML string: the markup the template's loop wrote (held equal in
    tests/dashboard/test_approval_panels.py). `csrf_token`: the page's (`csrf_input`)."""
    url = claim_url_maker(escaped=True)
    action = _e(reverse("claims:approvals"))
    times = _Times()
    csrf = csrf_input(csrf_token)
    panels = []
    for item in items:
        claim, verdict, form = item["claim"], item["verdict"], item["form"]
        pk = int(claim.pk)
        author = verdict.author.get_username() if verdict and verdict.author else ""
        article = claim.article
        box = ""
        if verdict:
            rationale = (
                "<details open><summary>Rationale</summary>"
                f"{linebreaks_filter(verdict.rationale, autoescape=True)}</details>"
                if verdict.rationale
                else ""
            )
            rating = verdict.rating.label if verdict.rating else ""
            box = f"""
  <div class="verdict-box">
    <p><span class="rating">{_e(rating or "No rating")}</span> — <strong>{
                _e(verdict.summary)
            }</strong></p>
    {rationale}
  </div>
  """
        evidence = list(claim.evidence.all())
        listed = "".join(_evidence_item(ev) for ev in evidence) or (
            '<li class="empty">No evidence was attached.</li>\n      '
        )
        vote = ""
        if approvals_required > 1 or item["votes"]:
            said = "; ".join(
                f"{_e(v.editor.get_username())}: {_e(v.get_decision_display().lower())}"
                + (f" (“{_e(v.note)}”)" if v.note else "")
                for v in item["votes"]
            )
            vote = f"""
  <p class="vote"><strong>{item["approvals"]} of {approvals_required} approvals.</strong>
    {said}</p>
  """
        if item["own"]:
            decide = """
  <p class="muted">You wrote this verdict: another editor must approve or return it.</p>
  """
        elif item["voted"]:
            decide = """
  <p class="muted">You have voted; it waits for other editors.</p>
  """
        else:
            error = " has-error" if form.errors.get("note") else ""
            decide = f"""
  <form method="post" action="{action}">{csrf}
    <input type="hidden" name="claim" value="{pk}">
    <input type="hidden" name="version" value="{_e(form["version"].value())}">
    <div class="field{error}">
      <label for="note-{pk}">Note <span class="muted">(required to return)</span></label>
      <textarea id="note-{pk}" name="note" rows="2">{_e(form["note"].value() or "")}</textarea>
    </div>
    <div class="actions">
      <button type="submit" name="intent" value="approve" class="primary">Approve</button>
      <button type="submit" name="intent" value="return">Return with note</button>
    </div>
  </form>
  """
        panels.append(
            f"""

<article class="panel" id="approval-{pk}" data-row aria-labelledby="approval-h-{pk}">
  <h2 id="approval-h-{pk}"><a data-row-link href="{url(pk)}">Claim {pk}</a> {
                _state_badge(claim.state)
            }
    <span class="muted">submitted {times.when(claim.submitted_at)} by {
                _e(author or "?")
            }</span></h2>
  <blockquote class="article-text">“{_e(claim.text)}”</blockquote>
  <p class="muted">{_e(claim.claimant or "Unattributed")} · {
                _e(article.title or "Untitled article")
            }, {_e(article.publisher or "unknown outlet")}</p>
  {box}
  <details {"open" if len(evidence) < 4 else ""}><summary>Evidence ({len(evidence)})</summary>
    <ul class="evidence-list">
      {listed}
    </ul>
  </details>
  {vote}
  {decide}
</article>

"""
        )
    return mark_safe("".join(panels))  # noqa: S308 (every value escaped above)
