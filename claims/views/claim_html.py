"""The claim page's content (templates/claims/claim_detail.html's `{% block content %}`),
written once in Python as one escaped HTML string.

The page is the one every fact-checker and editor works on all day. Through the template
engine its ~120 nodes (variable lookups, filters, tags, a dozen forms' fields, each escaped
and localised on its own) cost twice its one query; here each part is an f-string over the
values `claims.views.claim.claim_context` gives. Every value from a person or an article goes
through `_e` (Django's escaping), or through the very filters the template used (`linebreaks`,
`linebreaksbr`, `join`, `date`, `capfirst`) and the `claims_ui` tags' functions, so the markup
is the markup the template wrote: tests/dashboard/test_claim_page_html.py holds the served page
byte for byte equal to the template it replaced, in every branch, on hostile data.

The reviewers app's part (why nobody was assigned) is still its own template,
reviewers/_why_unassigned.html, rendered here with the page's context.
"""

from __future__ import annotations

from django.template.defaultfilters import (
    capfirst,
    join,
    linebreaks_filter,
    linebreaksbr,
)
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from claims import permissions
from claims.models import Claim
from claims.templatetags.claims_ui import (
    actor_name,
    claim_in_article,
    claim_in_context,
    event_summary,
    evidence_diff,
    evidence_link,
    evidence_problem,
    evidence_quote,
    http_url,
    percent,
    truncate_chars,
    verdict_byline,
)

from .rows import DISMISS_REASONS, _e, _priority, _stance, _state_badge, _Times, csrf_input

WHY_UNASSIGNED = "reviewers/_why_unassigned.html"
# How triage filed the claim (its band when it was extracted), not the state it has reached
# since: a claim opened by its score and now approved still says why it was opened.
FILED_AS = {
    "open": "Filed open",
    "candidate": "Filed as a candidate",
    "low": "Filed as not check-worthy",
    "no_model": "Filed as a candidate",
}
_LINK = 'rel="noopener noreferrer nofollow"'


def _v(value) -> str:
    """`{{ value }}`: localised (numbers, dates) and escaped, as the template engine writes a
    variable; None as "None"."""
    if type(value) is str:
        return _e(value)
    return _e(localize(template_localtime(value)))


def _key(mapping, key: str, default=""):
    """`{{ mapping.key }}` on a JSON dict: a missing key (or no dict) is "" in a template."""
    if isinstance(mapping, dict):
        return mapping.get(key, default)
    return default


def _username(user) -> str:
    """`{{ user.get_username }}`: "" where there is no user."""
    return user.get_username() if user is not None else ""


class _Page:
    """One page's rendering: the context's values read once."""

    def __init__(self, context):
        self.context = context
        self.claim: Claim = context["claim"]
        self.forms = context["forms"]
        self.fields = context["fields"]
        self.urls = context["action_urls"]
        self.available = context["available"]
        self.user = context.get("user")
        self.times = _Times()
        self.csrf = csrf_input(context.get("csrf_token"))

    def url(self, action: str) -> str:
        return _e(self.urls[action])

    # --- The left column: the claim in its article, and matches -------------------------

    def article(self) -> str:
        claim, article = self.claim, self.context["article"]
        published = ""
        if article.published_at:
            published = f" · {_e(date_filter(template_localtime(article.published_at), 'j M Y'))}"
        author = f" · {_v(article.author)}" if article.author else ""
        original = http_url(article.url)
        original = f' · <a href="{_e(original)}" {_LINK}>original</a>' if original else ""
        return f"""<section aria-labelledby="article-heading">
    <h2 id="article-heading">{_v(article.title or "Untitled article")}</h2>
    <p class="muted">{_v(article.publisher or "Unknown outlet")}{published}{author}{original}</p>
    <blockquote class="article-text" id="claim-context">{claim_in_context(claim)}</blockquote>
    <details class="quiet">
      <summary>Show the whole article</summary>
      <div class="article-text" id="whole-article">{claim_in_article(claim)}</div>
    </details>
    <p><a href="{_e(reverse("claims:article", args=[article.pk]))}">All sentences of this article</a></p>

    <section class="panel" aria-labelledby="matches-heading">
      <h2 id="matches-heading">Checked before</h2>
      {self.matches()}
    </section>
  </section>"""  # noqa: E501

    def matches(self) -> str:
        matches = self.context["matches"]
        if not matches:
            return (
                '\n      <p class="empty">No earlier claim or imported fact-check says the '
                "same. Matches appear here when extraction finds one.</p>\n      "
            )
        items = []
        for m in matches:
            past = m.past_fact_check
            if past:
                rating = (past.rating.label if past.rating else "") or past.rating_text
                link = http_url(past.url)
                link = f'<a href="{_e(link)}" {_LINK}>read it</a>' if link else ""
                said = f"""
            <strong>{_v(past.publisher or "Another publisher")}</strong>:
            <span class="rating">{_v(rating or "no rating")}</span>
            — “{_e(truncate_chars(past.claim_reviewed, 200))}”
            {link}
          """
            else:
                other = m.matched_claim
                verdicts = other.current_verdicts
                verdict = verdicts[0] if verdicts else ""
                rated = (
                    f'<span class="rating">{_v(verdict.rating.label)}</span>'
                    if verdict and verdict.rating
                    else ""
                )
                said = f"""
            
            <a href="{_e(reverse("claims:claim", args=[other.pk]))}">Claim {_v(other.pk)}</a>
            {_state_badge(other.state)}
            {rated}
            — “{_e(truncate_chars(other.text, 200))}”
            
          """  # noqa: W293 (the template's lines, spaces and all)
            alike = "same words" if m.exact else f"{_e(percent(m.similarity))} similar"
            items.append(f"""
        <li>
          {said}
          <span class="muted">({alike})</span>
        </li>
        """)
        return f"""
      <ul class="matches">
        {"".join(items)}
      </ul>
      """

    # --- The right column: what the claim is, and the work on it ------------------------

    def meta(self) -> str:
        claim = self.claim
        if claim.triage_band == "no_model":
            score = '<span class="muted">not scored</span>'
        else:
            shown = _e(percent(claim.score))
            score = (
                '<span class="score"><span class="score-bar" aria-hidden="true"><span '
                f'style="width: {shown}"></span></span>{shown}</span>'
            )
        if claim.triage_reason:
            score += (
                f'<div class="muted triage-reason" data-triage-band="{_v(claim.triage_band)}">'
                f"{_e(FILED_AS.get(claim.triage_band, 'Filed'))}: "
                f"{_v(claim.triage_reason)}</div>"
            )
        topics = ", ".join(_v(t.name) for t in claim.topics.all())
        dismissed = ""
        if claim.dismiss_reason:
            label = DISMISS_REASONS.get(claim.dismiss_reason, claim.dismiss_reason)
            dismissed = f"<dt>Dismissed as</dt><dd>{_v(label)}</dd>"
        repeats = ""
        if claim.duplicate_of:
            other = claim.duplicate_of.pk
            repeats = (
                f'<dt>Repeats</dt><dd><a href="{_e(reverse("claims:claim", args=[other]))}">'
                f"claim {_v(other)}</a></dd>"
            )
        return f"""<dl class="claim-meta">
      <dt>Claimant</dt><dd>{_v(claim.claimant or "Unattributed")}</dd>
      <dt>Check-worthiness</dt><dd>{score}</dd>
      <dt>Topics</dt><dd>{topics or '<span class="muted">none</span>'}</dd>
      <dt>Priority</dt><dd>{_priority(claim.priority)}</dd>
      <dt>Deadline</dt><dd>{self.times.deadline(claim.due_at, claim.state)}</dd>
      <dt>Assignee</dt><dd>{self.assignee()}</dd>
      {dismissed}
      {repeats}
    </dl>"""

    def assignee(self) -> str:
        claim, assignment = self.claim, self.context["assignment"]
        if not claim.assignee:
            shown = '<span class="muted">nobody yet</span>'
            if claim.state == "open" and permissions.can_assign(self.user):
                context = self.context
                fragment = context.template.engine.get_template(WHY_UNASSIGNED)
                shown += fragment.render(context)
            return shown
        shown = f"<strong>{_e(claim.assignee.get_username())}</strong>"
        if assignment:
            details = assignment.details
            reason = _key(details, "reason")
            because = f" — {_v(reason)}" if reason else ""
            shown += (
                f'<div class="muted">assigned by {_e(actor_name(assignment.actor))} '
                f"{self.times.when(assignment.created_at)}{because}</div>"
            )
            if _key(details, "assign_anyway"):
                overridden = _key(details, "overridden")
                overriding = (
                    f", overriding the policy: {_v(join(overridden, '; '))}" if overridden else ""
                )
                shown += (
                    '<div class="override" id="assignment-override"><strong>Assigned anyway'
                    f"</strong>{overriding}. Reason: {_v(reason)}</div>"
                )
        return shown

    def returned(self) -> str:
        returned = self.context["returned"]
        if not (returned and self.claim.state == "in_review"):
            return ""
        return f"""
    <div class="note" role="note"><strong>Returned by {
            _e(_username(returned.decided_by))
        }:</strong> {linebreaksbr(returned.decision_note, autoescape=True)}</div>
    """

    def decide(self) -> str:
        form = self.forms["decide"]
        if form is None:
            return ""
        required = self.context["approvals_required"]
        needs = (
            f'<p class="muted">This desk needs {_v(required)} approvals.</p>'
            if required > 1
            else ""
        )
        return f"""
    <section class="panel primary-panel" id="decide" aria-labelledby="decide-heading">
      <h2 id="decide-heading">Decide on the verdict</h2>
      {needs}
      <form method="post" action="{self.url("decide")}">{self.csrf}
        {form["version"]}
        {self.fields["decide"]["note"]}
        <div class="actions">
          <button type="submit" name="intent" value="approve" class="primary">Approve</button>
          <button type="submit" name="intent" value="return">Return with note</button>
        </div>
      </form>
    </section>
    """

    def verdict(self) -> str:
        context, claim = self.context, self.claim
        verdict, form = context["verdict"], self.forms["verdict"]
        shown = ""
        if verdict and not form:
            rating = verdict.rating.label if verdict.rating else ""
            summary = f"<p><strong>{_v(verdict.summary)}</strong></p>" if verdict.summary else ""
            rationale = (
                f"<div>{linebreaks_filter(verdict.rationale, autoescape=True)}</div>"
                if verdict.rationale
                else ""
            )
            votes = list(verdict.votes.all())
            voted = ""
            if votes:
                voted = (
                    '<ul class="vote">'
                    + "".join(
                        f"<li>{_e(_username(vote.editor))}: "
                        f"{_e(str(vote.get_decision_display()).lower())}"
                        + (f" — “{_v(vote.note)}”" if vote.note else "")
                        + "</li>"
                        for vote in votes
                    )
                    + "</ul>"
                )
            submitted = claim.state == "submitted"
            wrote = context["wrote_verdict"]
            told = (
                '<p class="muted">Submitted. The editors are told; you will see their decision '
                "in your notifications.</p>"
                if wrote and submitted
                else ""
            )
            waits = (
                '<p class="muted">You have voted on this verdict; it waits for other editors.</p>'
                if context["already_voted"] and submitted
                else ""
            )
            own = (
                '<p class="muted">You wrote this verdict: another editor must approve or return '
                "it.</p>"
                if context["is_editor"] and submitted and wrote
                else ""
            )
            shown = f"""
        <div class="verdict-box">
          <p><span class="rating">{
                _v(rating or "No rating yet")
            }</span> · <span class="muted verdict-byline">{_e(verdict_byline(verdict))}</span></p>
          {summary}
          {rationale}
          {voted}
        </div>
        {told}
        {waits}
        {own}
      """  # noqa: E501
        elif context["verdict_hidden"]:
            writer = _username(claim.assignee) or "The assignee"
            shown = f"""
        <p class="muted">{_e(writer)} is writing a draft verdict; drafts are seen only by their author and the editors.</p>
      """  # noqa: E501
        elif not form:
            why = ""
            if claim.state == "open":
                why = " The claim is waiting to be assigned."
            elif claim.state == "candidate":
                why = " The claim is a candidate: an editor promotes it before it is checked."
            shown = f"""
        <p class="empty">No verdict yet.{why}</p>
      """
        editing = ""
        if form:
            saved = ""
            if verdict and verdict.state == "draft":
                saved = (
                    f'<span class="muted">Draft saved {self.times.when(verdict.updated_at)}</span>'
                )
            fields = self.fields["verdict"]
            editing = f"""
      
      <form method="post" action="{self.url("verdict")}" id="verdict-form">{self.csrf}
        {form["version"]}
        {fields["rating"]}
        {fields["summary"]}
        {fields["rationale"]}
        <div class="actions">
          <button type="submit" name="intent" value="submit" class="primary">Submit verdict</button>
          <button type="submit" name="intent" value="save">Save draft</button>
          {saved}
        </div>
      </form>
      
      """  # noqa: W293
        primary = " primary-panel" if form else ""
        return f"""<section class="panel{primary}" id="verdict" aria-labelledby="verdict-heading">
      <h2 id="verdict-heading">Verdict</h2>
      {shown}
      {editing}
    </section>"""

    def evidence(self) -> str:
        evidence, form = self.context["evidence_list"], self.forms["evidence"]
        if evidence:
            items = "".join(self.evidence_item(ev) for ev in evidence)
            listed = f"""
      <ul class="evidence-list">
        {items}
      </ul>
      """
        else:
            press = (
                " Add the sources the verdict rests on: press <kbd>e</kbd> or use the form below."
                if form
                else ""
            )
            listed = f"""
      <p class="empty">No evidence yet.{press}</p>
      """
        adding = ""
        if form:
            request = self.context.get("request")
            hx = request is not None and request.headers.get("hx-request")
            opened = "open" if form.is_bound or not evidence or hx else ""
            action, fields = self.url("evidence"), self.fields["evidence"]
            adding = f"""
      
      <details id="add-evidence" {opened}>
        <summary>Add evidence</summary>
        
        <form method="post" action="{action}" id="evidence-form"
              hx-post="{action}" hx-target="#evidence" hx-select="#evidence" hx-swap="outerHTML" hx-select-oob="#messages" data-swap-errors data-keeps-version>{self.csrf}
          {form["version"]}
          {fields["url"]}
          {fields["title"]}
          {fields["publisher"]}
          {fields["stance"]}
          {fields["excerpt"]}
          {fields["note"]}
          <div class="actions"><button type="submit">Add evidence</button></div>
        </form>
      </details>
      
      """  # noqa: E501, W293
        return f"""<section class="panel" id="evidence" aria-labelledby="evidence-heading">
      <h2 id="evidence-heading">Evidence <span class="muted">({len(evidence)})</span></h2>
      {listed}
      {adding}
    </section>"""

    def evidence_item(self, ev) -> str:
        link, name = http_url(ev.url), ev.title or ev.page_title or ev.url
        if link:
            link = f'<a href="{_e(link)}" {_LINK}>{_e(truncate_chars(name, 90))}</a>'
        else:
            link = _v(name)
        publisher = f'<span class="muted">— {_v(ev.publisher)}</span>' if ev.publisher else ""
        excerpt = (
            f"<blockquote>{linebreaksbr(ev.excerpt, autoescape=True)}</blockquote>"
            if ev.excerpt
            else ""
        )
        note = f"<p>{linebreaksbr(ev.note, autoescape=True)}</p>" if ev.note else ""
        problem, quote = evidence_problem(ev), evidence_quote(ev)
        problem = f'<p class="warning" role="note">{_v(problem)}</p>' if problem else ""
        quoted = ""
        if quote:
            quoted = (
                f'<p class="quote-status quote-{_v(ev.quote_status or "pending")}">'
                f"{_v(capfirst(quote))}</p>"
            )
        archived = http_url(ev.archive_url)
        archived = f' · <a href="{_e(archived)}" {_LINK}>archived copy</a>' if archived else ""
        return f"""
        <li>
          {_stance(ev.stance)}
          {link}
          {publisher}
          {excerpt}
          {note}
          
          {problem}
          {_e(evidence_diff(ev))}
          {quoted}
          
          <p class="muted">Added by {_e(actor_name(ev.added_by))} {
            self.times.when(ev.created_at)
        } · link: {_v(evidence_link(ev))}{archived}</p>
        </li>
        """  # noqa: W293

    def published(self) -> str:
        claim = self.claim
        if claim.state != "published" or not permissions.can_publish(self.user):
            return ""
        public = _e(reverse("public:fact_check", args=[claim.pk]))
        correct = _e(reverse("exports:correction", args=[claim.pk]))
        return f"""
    <section class="panel" aria-labelledby="public-heading">
      <h2 id="public-heading">Published</h2>
      <p><a href="{public}">Public page</a> ·
         <a href="{correct}">Correct this fact-check</a>
         <span class="muted">(a correction is approved by another editor and shown to readers with its date)</span></p>
    </section>
    """  # noqa: E501

    def _button(self, action: str, label: str, css: str = "") -> str:
        """A form of one button posting `action` with the claim's version."""
        if action not in self.available:
            return ""
        css = f' class="{css}"' if css else ""
        return f"""
      <form method="post" action="{self.url(action)}" class="actions">{self.csrf}
        <input type="hidden" name="version" value="{_v(self.claim.version)}">
        <button type="submit"{css}>{label}</button>
      </form>
      """

    def _form(self, slot: str, field: str, button: str) -> str:
        """A form of one field and its button (`button`: the tag's end and its label)."""
        form = self.forms[slot]
        if not form:
            return ""
        return f"""
      <form method="post" action="{self.url(slot)}">{self.csrf}
        {form["version"]}
        {self.fields[slot][field]}
        <div class="actions"><button type="submit"{button}</button></div>
      </form>
      """

    def manage(self) -> str:
        forms, available = self.forms, self.available
        if not (
            forms["assign"]
            or forms["priority"]
            or forms["topics"]
            or forms["dismiss"]
            or {"promote", "restore", "publish", "unassign"} & available
        ):
            return ""
        assign = ""
        if forms["assign"]:
            form, fields = forms["assign"], self.fields["assign"]
            anyway = form["assign_anyway"]
            error = " has-error" if anyway.errors else ""
            verb = "Assign" if self.claim.state == "open" else "Reassign"
            assign = f"""
      <form method="post" action="{self.url("assign")}">{self.csrf}
        {form["version"]}
        {fields["assignee"]}
        {fields["reason"]}
        <div class="field{error}"><label for="{_v(anyway.id_for_label)}">{anyway} {
                _v(anyway.label)
            }</label><p class="help" id="{_v(anyway.auto_id)}_helptext">{
                _v(anyway.help_text)
            }</p></div>
        <div class="actions"><button type="submit">{verb}</button></div>
      </form>
      """
        priority = self._form("priority", "priority", ">Set priority")
        topics = self._form("topics", "topics", ">Set topics")
        dismiss = self._form("dismiss", "reason", ' class="danger">Dismiss')
        return f"""
    <section class="panel" aria-labelledby="manage-heading">
      <h2 id="manage-heading">Manage</h2>
      {self._button("publish", "Publish the fact-check", "primary")}
      {self._button("promote", "Promote to open")}
      {self._button("restore", "Restore as candidate")}
      {assign}
      {self._button("unassign", "Unassign (back to open)")}
      {priority}
      {topics}
      {dismiss}
    </section>
    """

    def decline(self) -> str:
        form = self.forms["decline"]
        if not form:
            return ""
        return f"""
    <details class="panel quiet" {"open" if form.is_bound else ""}>
      <summary>Decline this claim</summary>
      <form method="post" action="{self.url("decline")}" id="decline-form">{self.csrf}
        {form["version"]}
        {self.fields["decline"]["reason"]}
        <div class="actions"><button type="submit" class="danger">Decline</button></div>
      </form>
    </details>
    """

    def history(self) -> str:
        is_editor = self.context["is_editor"]
        items = []
        for event in self.context["history"]:
            details = event.details
            anyway = ""
            if _key(details, "assign_anyway"):
                overridden = _key(details, "overridden")
                overriding = f", overriding: {_v(join(overridden, '; '))}" if overridden else ""
                anyway = f'<span class="override">(assigned anyway{overriding})</span>'
            link = ""
            verdict = _key(details, "verdict")
            if verdict and (is_editor or event.transition != "save_draft"):
                link = f'<a href="{_e(reverse("claims:verdict", args=[verdict]))}">verdict</a>'
            items.append(
                f"""
        <li><span class="who">{_e(actor_name(event.actor))}</span>: {event_summary(event)}
          {anyway}
          {link}
          <span class="muted">{self.times.when(event.created_at)}</span></li>
        """
            )
        listed = "".join(items) or '<li class="empty">No events yet.</li>\n        '
        return f"""<section class="panel" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <ol class="history" reversed>
        {listed}
      </ol>
    </section>"""

    def render(self) -> SafeString:
        claim = self.claim
        is_editor = self.context["is_editor"]
        back = reverse("claims:claims") if is_editor else reverse("claims:home")
        due = f"<p>{self.times.deadline(claim.due_at, claim.state)}</p>" if claim.due_at else ""
        # The template's text around its parts, line for line (its `{# #}` comments left
        # their indentation behind).
        html = f"""
<p class="muted"><a href="{_e(back)}">← {"All claims" if is_editor else "My queue"}</a></p>
<div class="page-head">
  <h1>Claim {_v(claim.pk)} {_state_badge(claim.state)}</h1>
  {due}
</div>

<div class="claim-layout">
  {self.article()}

  <div class="work">
    {self.meta()}

    {self.returned()}

    
    {self.decide()}

    
    {self.verdict()}

    
    {self.evidence()}

    {self.published()}

    
    {self.manage()}

    {self.decline()}

    {self.history()}
  </div>
</div>
"""  # noqa: W293 (the template's lines, spaces and all)
        return mark_safe(html)  # noqa: S308 (every value escaped above)


def claim_content(context) -> SafeString:
    """The claim page's content for a template context holding `claims.views.claim.
    claim_context`'s values (and the request's: `request`, `user`, `csrf_token`)."""
    return _Page(context).render()
