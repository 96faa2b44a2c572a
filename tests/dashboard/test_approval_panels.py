"""The approvals page's panels written in Python (claims/views/rows.approval_panels): the same
HTML, byte for byte, as the template loop they replace, on hostile data and in every branch
(rationale or none, evidence linked, unlinked, unverified, broken, none and more than three,
votes with notes, one's own verdict, a vote already cast, a form sent back with its errors)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.template import engines
from django.urls import reverse
from django.utils import timezone

from claims import selectors
from claims.models import ApprovalVote, Article, Claim, Evidence, Verdict
from claims.views import lists
from reviewers.models import ReviewerProfile
from tests.factories import ClaimFactory, claim_in, make_evidence, submit_verdict
from tests.factories import editor as make_editor
from tests.vendor import postgresql_only

pytestmark = pytest.mark.django_db
EVIL = "<script>alert(\"x\")</script> & 'q'"

# The template's loop as it was (claims/approvals.html before the panels were written in
# Python); its `{% empty %}` branch stays in the template.
BEFORE = """{% load claims_ui %}{% for item in items %}
{% with claim=item.claim verdict=item.verdict %}
<article class="panel" id="approval-{{ claim.pk }}" data-row aria-labelledby="approval-h-{{ claim.pk }}">
  <h2 id="approval-h-{{ claim.pk }}"><a data-row-link href="{% url 'claims:claim' claim.pk %}">Claim {{ claim.pk }}</a> {% state_badge claim.state %}
    <span class="muted">submitted {% when claim.submitted_at %} by {{ verdict.author.get_username|default:"?" }}</span></h2>
  <blockquote class="article-text">“{{ claim.text }}”</blockquote>
  <p class="muted">{{ claim.claimant|default:"Unattributed" }} · {{ claim.article.title|default:"Untitled article" }}, {{ claim.article.publisher|default:"unknown outlet" }}</p>
  {% if verdict %}
  <div class="verdict-box">
    <p><span class="rating">{{ verdict.rating.label|default:"No rating" }}</span> — <strong>{{ verdict.summary }}</strong></p>
    {% if verdict.rationale %}<details open><summary>Rationale</summary>{{ verdict.rationale|linebreaks }}</details>{% endif %}
  </div>
  {% endif %}
  <details {% if claim.evidence.all|length < 4 %}open{% endif %}><summary>Evidence ({{ claim.evidence.all|length }})</summary>
    <ul class="evidence-list">
      {% for ev in claim.evidence.all %}
      <li>{% stance_badge ev.stance %} {% if ev.url|http_url %}<a href="{{ ev.url|http_url }}" rel="noopener noreferrer nofollow">{{ ev.title|default:ev.url|truncatechars:90 }}</a>{% else %}{{ ev.title }}{% endif %}{% if ev.excerpt %}<blockquote>{{ ev.excerpt|truncatechars:300 }}</blockquote>
        {% if ev.quote_status != "found" %}<p class="warning" role="note">Unverified quote: {{ ev|evidence_quote }}.</p>{% endif %}{% endif %}
        {% with problem=ev|evidence_problem %}{% if problem %}<p class="warning" role="note">{{ problem }}</p>{% endif %}{% endwith %}</li>
      {% empty %}<li class="empty">No evidence was attached.</li>
      {% endfor %}
    </ul>
  </details>
  {% if approvals_required > 1 or item.votes %}
  <p class="vote"><strong>{{ item.approvals }} of {{ approvals_required }} approvals.</strong>
    {% for vote in item.votes %}{{ vote.editor.get_username }}: {{ vote.get_decision_display|lower }}{% if vote.note %} (“{{ vote.note }}”){% endif %}{% if not forloop.last %}; {% endif %}{% endfor %}</p>
  {% endif %}
  {% if item.own %}
  <p class="muted">You wrote this verdict: another editor must approve or return it.</p>
  {% elif item.voted %}
  <p class="muted">You have voted; it waits for other editors.</p>
  {% else %}
  <form method="post" action="{% url 'claims:approvals' %}">{% csrf_token %}
    <input type="hidden" name="claim" value="{{ claim.pk }}">
    <input type="hidden" name="version" value="{{ item.form.version.value }}">
    <div class="field{% if item.form.errors.note %} has-error{% endif %}">
      <label for="note-{{ claim.pk }}">Note <span class="muted">(required to return)</span></label>
      <textarea id="note-{{ claim.pk }}" name="note" rows="2">{{ item.form.note.value|default:"" }}</textarea>
    </div>
    <div class="actions">
      <button type="submit" name="intent" value="approve" class="primary">Approve</button>
      <button type="submit" name="intent" value="return">Return with note</button>
    </div>
  </form>
  {% endif %}
</article>
{% endwith %}
{% endfor %}"""  # noqa: E501


@pytest.fixture
def desk(editor, checker):
    """Submitted verdicts in every shape the panel shows."""
    other = make_editor("editor2")
    # Hostile words everywhere a person or a page writes them; no title or outlet on one.
    hostile = claim_in(Claim.State.ASSIGNED, editor=editor, checker=checker, text=f"Claim {EVIL}")
    Claim.objects.filter(pk=hostile.pk).update(claimant=EVIL)
    Article.objects.filter(pk=hostile.article_id).update(title="", publisher="")
    submit_verdict(hostile, checker, summary=f"Sum {EVIL}", rationale=f"Line {EVIL}\n\nTwo\nthree")
    make_evidence(f"https://example.org/a?x=1&y={EVIL}", claim=hostile, title=f"T {EVIL}")
    make_evidence("javascript:alert(1)", claim=hostile, title=f"JS {EVIL}")
    make_evidence(
        "https://example.org/" + "long/" * 40, claim=hostile, excerpt=f"Quote {EVIL} " * 40
    )
    make_evidence(
        "https://example.org/gone",
        claim=hostile,
        title="",
        link_status=Evidence.LinkStatus.GONE,
        link_detail=f"404 {EVIL}",
        http_status=404,
        checked_at=timezone.now() - timedelta(days=2),
    )
    # Five sources (the list folded), no rationale.
    many = claim_in(Claim.State.SUBMITTED, editor=editor, checker=checker)
    for n in range(5):
        make_evidence(f"https://example.org/{n}", claim=many, title=f"Source {n}")
    # No evidence; a vote with a hostile note from another editor.
    voted_on = claim_in(Claim.State.SUBMITTED, editor=editor, checker=checker)
    verdict = Verdict.objects.get(claim=voted_on, is_current=True)
    ApprovalVote.objects.create(
        verdict=verdict, editor=other, verdict_author=checker, decision="return", note=EVIL
    )
    # This editor's own verdict, and one this editor has voted on.
    editor.groups.add(Group.objects.get(name="Fact-checkers"))  # an editor who checks too
    ReviewerProfile.objects.create(user=editor, capacity=5, languages="en")
    own = claim_in(Claim.State.SUBMITTED, editor=other, checker=editor)
    mine = claim_in(Claim.State.SUBMITTED, editor=editor, checker=checker)
    ApprovalVote.objects.create(
        verdict=Verdict.objects.get(claim=mine, is_current=True),
        editor=editor,
        verdict_author=checker,
        decision="approve",
    )
    ApprovalVote.objects.create(
        verdict=Verdict.objects.get(claim=mine, is_current=True),
        editor=other,
        verdict_author=checker,
        decision="approve",
        note="fine",
    )
    return {"hostile": hostile, "many": many, "voted_on": voted_on, "own": own, "mine": mine}


def _panels_and_reference(client, monkeypatch, method="get", data=None):
    """The panels the view wrote and the old loop's HTML over the same items."""
    seen = {}
    write = lists.approval_panels

    def capture(items, **kwargs):
        seen.update(items=items, **kwargs)
        seen["html"] = write(items, **kwargs)
        return seen["html"]

    monkeypatch.setattr(lists, "approval_panels", capture)
    url = reverse("claims:approvals")
    response = client.post(url, data) if method == "post" else client.get(url)
    reference = (
        engines["django"]
        .from_string(BEFORE)
        .render(
            {
                "items": seen["items"],
                "approvals_required": seen["approvals_required"],
                "csrf_token": seen["csrf_token"],
            }
        )
    )
    return response, str(seen["html"]), reference


@pytest.mark.parametrize("required", [1, 2])
def test_the_panels_are_the_template_loops_html(
    editor_client, desk, monkeypatch, settings, required
):
    settings.VERDICT_APPROVALS_REQUIRED = required
    response, panels, reference = _panels_and_reference(editor_client, monkeypatch)
    assert response.status_code == 200
    assert panels == reference
    assert panels.count('<article class="panel"') == 5
    assert "<script>" not in panels and "&lt;script&gt;" in panels
    assert 'href="javascript' not in panels
    assert "You wrote this verdict" in panels and "You have voted" in panels
    assert "<details ><summary>Evidence (5)</summary>" in panels  # folded past three
    assert "No evidence was attached." in panels
    assert "Unverified quote:" in panels and "is gone (HTTP 404" in panels
    assert 'name="csrfmiddlewaretoken" value="' in panels
    assert panels in response.content.decode()


def test_a_form_sent_back_keeps_what_was_typed_escaped(editor_client, desk, monkeypatch):
    claim = desk["many"]
    data = {
        "claim": claim.pk,
        "version": f'"><b>{EVIL}',
        "note": f"Note {EVIL}",
        "intent": "return",
    }
    response, panels, reference = _panels_and_reference(editor_client, monkeypatch, "post", data)
    assert response.status_code == 400
    assert panels == reference
    assert "Note &lt;script&gt;" in panels and '"><b>' not in panels


def test_a_stale_send_keeps_the_note_with_the_current_version(editor_client, desk, monkeypatch):
    claim = desk["many"]
    data = {"claim": claim.pk, "version": claim.version - 1, "note": EVIL, "intent": "return"}
    response, panels, reference = _panels_and_reference(editor_client, monkeypatch, "post", data)
    assert response.status_code == 409
    assert panels == reference
    assert f'name="version" value="{Claim.objects.get(pk=claim.pk).version}"' in panels


def test_no_verdict_waiting_shows_the_empty_page(editor_client):
    html = editor_client.get(reverse("claims:approvals")).content.decode()
    assert "No verdicts are waiting for approval." in html
    assert '<article class="panel"' not in html


def test_a_claim_without_evidence_or_title_in_a_plain_panel():
    """A panel of a claim whose article has no title or outlet, written on its own."""
    claim = ClaimFactory(state=Claim.State.SUBMITTED)
    Article.objects.filter(pk=claim.article_id).update(title="", publisher="")
    claim = Claim.objects.select_related("article").get(pk=claim.pk)
    claim.submitted_at = None
    item = {
        "claim": claim,
        "verdict": None,
        "votes": [],
        "approvals": 0,
        "own": False,
        "voted": False,
        "form": lists.DecisionForm(initial={"version": claim.version}),
    }
    html = str(lists.approval_panels([item], approvals_required=1, csrf_token="tok"))
    reference = (
        engines["django"]
        .from_string(BEFORE)
        .render({"items": [item], "approvals_required": 1, "csrf_token": "tok"})
    )
    assert html == reference
    assert "Untitled article, unknown outlet" in html and "by ?" in html


def _tokens_out(html: str) -> str:
    html = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', r"\1TOKEN", html)
    return re.sub(r'nonce="[^"]+"', 'nonce="N"', html)


@postgresql_only("the approvals page's one statement is PostgreSQL's path")
@pytest.mark.parametrize("page_size", [25, 2])
def test_the_one_statement_page_is_the_orm_page(
    editor_client, desk, monkeypatch, page_size, django_assert_num_queries
):
    """claims/selectors/approvals.py reads the page the ORM's approvals_queue read (the same
    claims in the same order, page by page, with their verdicts, votes and evidence), so the
    page is the same HTML, byte for byte; in three queries (the session with its user, the
    pager's total with the header's counts, the page)."""
    ClaimFactory(state=Claim.State.SUBMITTED, text=f"No verdict {EVIL}")  # sorted last
    monkeypatch.setattr(lists, "APPROVALS_PAGE_SIZE", page_size)
    url = reverse("claims:approvals")
    pages = -(-Claim.objects.filter(state=Claim.State.SUBMITTED).count() // page_size)
    assert pages >= (3 if page_size == 2 else 1)
    for number in range(1, pages + 1):
        with django_assert_num_queries(3):
            one = editor_client.get(url, {"page": number})
        with monkeypatch.context() as orm:
            orm.setattr(lists, "approval_rows", selectors.approvals_queue)
            separate = editor_client.get(url, {"page": number})
        assert one.status_code == separate.status_code == 200
        html = _tokens_out(one.content.decode())
        assert html == _tokens_out(separate.content.decode())
        assert html.count('<article class="panel"') == min(page_size, 6 - (number - 1) * page_size)
    assert "No verdict &lt;script&gt;" in html  # the claim without a verdict comes last


def test_the_page_carries_one_csrf_token_and_a_decision_sent_with_it_is_taken(editor, desk):
    """The panels' forms and the header's logout form carry the same masked token (one a
    page, as on every other page), and a decision posted with it passes the CSRF check."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    html = client.get(reverse("claims:approvals")).content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(tokens) >= 4 and len(set(tokens)) == 1  # the header's and three panels'
    assert f'"X-CSRFToken": "{tokens[0]}"' in html
    claim = desk["many"]
    response = client.post(
        reverse("claims:approvals"),
        {
            "csrfmiddlewaretoken": tokens[0],
            "claim": claim.pk,
            "version": claim.version,
            "intent": "return",
            "note": "Check the second source.",
        },
    )
    assert response.status_code == 302
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.IN_REVIEW
