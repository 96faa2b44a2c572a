"""The claim page's content, as served, is byte for byte what the claim page's template wrote
before its `{% block content %}` was written in Python: in every branch, on hostile data.

claim_detail_before.html (beside this module) is that template's content block, frozen:
`{% load claims_ui %}` and then the text between `{% block content %}` and its `{% endblock %}`
in templates/claims/claim_detail.html at commit 639b87d4600b2184d3d14f6df6fc1ad19e794148,
copied byte for byte (its first character is the newline after `{% block content %}`; nothing
may be added to it, not even a comment, since every character is output). To see that it is
still that copy:

    git show 639b87d:templates/claims/claim_detail.html | python3 -c "import sys
    t = sys.stdin.read(); s = t.index('{% block content %}') + len('{% block content %}')
    print('{% load claims_ui %}' + t[s:t.rindex('{% endblock %}')], end='')" |
    diff - tests/dashboard/claim_detail_before.html && echo same

Each scenario builds a claim through the workflow (hostile words wherever a person, an article
or an import writes them), requests the page as one person would (a GET, an htmx GET, or a POST
of a claim action that shows the page again with its form bound and its errors), records the
context `claims.views.claim.claim_context` returned for that request, renders the frozen block
with that context and that request, and compares it with the served page's content (the CSRF
tokens aside: each render masks its own). Each scenario also says what its branch shows, so one
that silently stops reaching its branch fails.

Every time in the data is moved three days back before the request (deadlines are set apart),
so the relative times ("3 days ago") cannot change between the two renders.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.db.models import DateTimeField, F, QuerySet
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from claims import services, workflow
from claims.models import (
    ApprovalVote,
    Article,
    Claim,
    ClaimEvent,
    ClaimMatch,
    Evidence,
    EvidenceSnapshot,
    PastFactCheck,
    Topic,
    Verdict,
)
from reviewers.models import ReviewerProfile
from tests.factories import ArticleFactory, ClaimFactory, UserFactory, fact_checker, rating
from tests.factories import editor as make_editor

pytestmark = pytest.mark.django_db
S = Claim.State

EVIL = '<script>alert("x")</script> & \'q\' "dq"'
ESCAPED = escape(EVIL)
LINES = f"First {EVIL}\nstill the first paragraph\n\nSecond paragraph & more\n\n\nThird {EVIL}"
CLAIM_TEXT = f"The minister said jobs rose {EVIL}."
BODY = (
    f"Intro {EVIL}. The storm hit on Monday.\nA second line! {CLAIM_TEXT} Critics disagreed.\n\n"
    f"Officials promised a review {EVIL}. Last words."
)
AGO = timedelta(days=3)

BEFORE_TEXT = (Path(__file__).parent / "claim_detail_before.html").read_text(encoding="utf-8")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')
MESSAGES = '<div id="messages" role="status" aria-live="polite">'


# --- The served content and the comparison ---------------------------------------------------


def content_of(page: str) -> str:
    """What `{% block content %}` wrote into the served page (templates/base.html): after the
    messages' <div> and the two spaces before the block, up to the newline before </main>."""
    main = page.find('<main id="main"')
    assert main >= 0, "The served page has no <main id=main>."
    messages = page.find(MESSAGES, main)
    assert messages >= 0, "The served page has no messages <div> in <main>."
    closed = page.find("</div>", messages)
    assert closed >= 0, "The messages <div> is never closed."
    start = closed + len("</div>")
    assert page.startswith("\n  ", start), f"Not the base template's layout: {page[start:][:40]!r}"
    assert page.count("</main>") == 1, "</main> should appear once (the content is escaped)."
    end = page.rfind("\n</main>")
    assert end >= start + 3, "No newline before </main>."
    return page[start + 3 : end]


def without_tokens(html: str) -> str:
    return CSRF.sub('name="csrfmiddlewaretoken" value="TOKEN"', html)


def diff(before: str, served: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(), served.splitlines(), "before template", "served page", lineterm=""
    )
    return "\n".join(islice(lines, 80))


@pytest.fixture
def captured(monkeypatch) -> list[tuple[object, dict]]:
    """(request, context) for each call of `claim_context`, wherever a view module holds it
    (claim_actions.py imports it by name)."""
    import claims.views.claim as claim_views
    import claims.views.claim_actions  # noqa: F401 (loaded, so that its reference is patched)

    original, calls = claim_views.claim_context, []

    def recording(request, *args, **kwargs):
        context = original(request, *args, **kwargs)
        calls.append((request, dict(context)))  # as returned, whatever the view adds later
        return context

    patched = []
    for name, module in list(sys.modules.items()):
        if name.startswith("claims.views") and getattr(module, "claim_context", None) is original:
            monkeypatch.setattr(module, "claim_context", recording)
            patched.append(name)
    assert {"claims.views.claim", "claims.views.claim_actions"} <= set(patched)
    return calls


# --- The newsroom and its claims -------------------------------------------------------------


class Desk:
    """Two editors and two fact-checkers, hostile names on one of each (stored as an import or
    the admin could; the sign-up form would refuse them)."""

    def __init__(self):
        self.editor = make_editor("editor")
        self.editor2 = make_editor(f"editor2 {EVIL}")
        self.checker = fact_checker(f"checker {EVIL}")
        self.checker2 = fact_checker("checker2")
        self.articles = 0

    def article(self, **fields) -> Article:
        self.articles += 1
        values = {
            "title": f"Title {EVIL}",
            "publisher": f"Publisher {EVIL}",
            "author": f"Author {EVIL}",
            "url": f"https://news.example.org/{self.articles}?b=1&c='2'",
            "published_at": timezone.now() - timedelta(days=30),
            "body": BODY,
        }
        return ArticleFactory(**{**values, **fields})

    def claim(self, state: str = S.OPEN, *, article=None, assignee=None, **fields) -> Claim:
        """A claim brought to `state` through the workflow, hostile words in everything."""
        start = BODY.index(CLAIM_TEXT)
        values = {
            "article": article or self.article(),
            "text": CLAIM_TEXT,
            "position": 1,
            "start_offset": start,
            "end_offset": start + len(CLAIM_TEXT),
            "claimant": f"Claimant {EVIL}",
            "triage_band": "open",
            "triage_reason": f"score 0.73 ≥ 0.60 {EVIL}",
            "score": 0.734,
            "state": S.CANDIDATE if state in {S.CANDIDATE, S.DISMISSED} else S.OPEN,
        }
        claim = ClaimFactory(**{**values, **fields})
        pk, person = claim.pk, assignee or self.checker
        if state == S.DISMISSED:
            workflow.claim_dismiss(claim_id=pk, actor=self.editor, reason="opinion")
        path = [S.ASSIGNED, S.IN_REVIEW, S.SUBMITTED, S.APPROVED, S.PUBLISHED]
        steps = {
            S.ASSIGNED: lambda: workflow.claim_assign(
                claim_id=pk, assignee=person, actor=self.editor, reason=f"Knows it {EVIL}"
            ),
            S.IN_REVIEW: lambda: workflow.claim_start(claim_id=pk, actor=person),
            S.SUBMITTED: lambda: self.submit(pk, person),
            S.APPROVED: lambda: workflow.claim_approve(
                claim_id=pk, actor=self.editor2, note=f"Fine {EVIL}"
            ),
            S.PUBLISHED: lambda: workflow.claim_publish(claim_id=pk, actor=self.editor),
        }
        for step in path if state in path else []:
            steps[step]()
            if step == state:
                break
        return Claim.objects.get(pk=pk)

    def draft(
        self,
        claim_id: int,
        author=None,
        *,
        rated: bool = True,
        summary: str = f"Summary {EVIL}",
        rationale: str = LINES,
    ) -> Verdict:
        return workflow.verdict_save_draft(
            claim_id=claim_id,
            actor=author or self.checker,
            rating_id=rating("false").pk if rated else None,
            summary=summary,
            rationale=rationale,
        )

    def submit(self, claim_id: int, author=None) -> None:
        self.draft(claim_id, author)
        workflow.claim_submit(claim_id=claim_id, actor=author or self.checker)


def evidence_of_every_kind(desk: Desk, claim: Claim) -> None:
    """Sources in every shape the evidence list shows: linked, unlinked (a non-http address
    stored as it came, bypassing validation), untitled, gone with the check's reason, broken
    without one, changed since cited (with its diff), moved, timed out, and each quote status."""
    day_ago = timezone.now() - timedelta(days=1)
    services.evidence_add(
        claim_id=claim.pk,
        actor=desk.checker,
        url="https://example.org/a?x=1&y='q'",
        title=f"Linked {EVIL}",
        publisher=f"Publisher {EVIL}",
        stance="refutes",
        excerpt=f"Quote {EVIL}\nline two",
        note=f"Note {EVIL}\n\nafter a blank line",
    )
    Evidence.objects.filter(claim=claim).update(
        link_status=Evidence.LinkStatus.OK,
        http_status=200,
        checked_at=day_ago,
        quote_status=Evidence.QuoteStatus.FOUND,
        archive_url="https://archive.example.org/web/1?a=1&b='2'",
        created_at=day_ago,
    )

    def source(url: str, **fields) -> Evidence:
        values = {"added_by": desk.checker2, "created_at": day_ago, **fields}
        return Evidence.objects.create(claim=claim, url=url, **values)

    source("javascript:alert(1)", stance="supports", added_by=None)
    source(
        "https://gone.example.org/",
        page_title=f"Page {EVIL}",
        link_status=Evidence.LinkStatus.GONE,
        http_status=404,
        link_detail=f"404 from the server {EVIL}",
        checked_at=day_ago,
        excerpt=f"Quoted {EVIL}",
        quote_status=Evidence.QuoteStatus.NOT_FOUND,
        quote_checked_at=day_ago,
        archive_url="javascript:alert(2)",
    )
    source(
        "http://error.example.org/",
        title=f"Broken {EVIL}",
        link_status=Evidence.LinkStatus.ERROR,
        checked_at=day_ago,
        excerpt="Unread quote",
        quote_status=Evidence.QuoteStatus.PENDING,
    )
    changed = source(
        "https://changed.example.org/",
        title=f"A long title {EVIL} " + "that goes on " * 8,
        link_status=Evidence.LinkStatus.OK,
        checked_at=day_ago,
        changed_since_cited=True,
    )
    for days, text in ((5, f"Old text {EVIL}\nsame"), (1, f"New text {EVIL}\nsame\nmore")):
        EvidenceSnapshot.objects.create(
            evidence=changed,
            fetched_at=timezone.now() - timedelta(days=days),
            text=text,
            text_sha256=str(days),
        )
    source("https://pending.example.org/", excerpt="Not checked", quote_status="")
    source(
        "https://moved.example.org/",
        publisher="Moved Times",
        link_status=Evidence.LinkStatus.MOVED,
        http_status=301,
        checked_at=day_ago,
    )
    source(
        "https://slow.example.org/",
        link_status=Evidence.LinkStatus.TIMED_OUT,
        checked_at=day_ago,
        link_detail="timed out",
    )


def matches_of_every_kind(desk: Desk, claim: Claim) -> list[Claim]:
    """Past fact-checks rated, rated in words only and unrated (http and non-http links), and
    earlier claims with a rated verdict, an unrated one and none; one exact match."""
    rated = PastFactCheck.objects.create(
        claim_reviewed=f"Reviewed {EVIL} " + "and it goes on " * 20,
        publisher=f"Checkers {EVIL}",
        url="https://other.example.org/check/1?a=1&b='2'",
        rating=rating("mostly-false"),
    )
    in_words = PastFactCheck.objects.create(
        claim_reviewed="Words only",
        url="javascript:alert(3)",
        rating_text=f"Pants on fire {EVIL}",
    )
    unrated = PastFactCheck.objects.create(
        claim_reviewed=f"Nothing said {EVIL}", publisher="", url="http://plain.example.org/"
    )
    checked = desk.claim(S.SUBMITTED, text=f"Checked before {EVIL}", start_offset=0, end_offset=0)
    drafted = desk.claim(S.IN_REVIEW, text="Drafted", start_offset=0, end_offset=0)
    desk.draft(drafted.pk, rated=False)
    bare = ClaimFactory(text=f"Bare {EVIL} " + "word " * 60, state=S.CANDIDATE)
    for similarity, target in [
        (1.0, {"past_fact_check": rated, "exact": True}),
        (0.934, {"past_fact_check": in_words}),
        (0.9, {"past_fact_check": unrated}),
        (0.876, {"matched_claim": checked}),
        (0.85, {"matched_claim": drafted}),
        (0.8049, {"matched_claim": bare, "exact": True}),
    ]:
        ClaimMatch.objects.create(claim=claim, similarity=similarity, **target)
    return [checked, drafted, bare]


def hostile_topics(claim: Claim) -> None:
    evil = Topic.objects.create(slug="evil", name=f"Topic {EVIL}")
    claim.topics.set([evil, *Topic.objects.filter(slug__in=["economy", "health"])])


def approver_only() -> object:
    """A role the groups do not name: approving verdicts, nothing else (an editor to the page)."""
    user = UserFactory(username="approver")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="claims", codename="approve_verdict")
    )
    return user


# --- Scenarios -------------------------------------------------------------------------------

KEEP = "keep"


@dataclass
class Visit:
    viewer: object
    claim: Claim
    shows: tuple[str, ...]  # in the served content: the branch was reached
    hides: tuple[str, ...] = ()
    action: str = ""  # a POST to claims:claim_action with `data` (the claim's version added)
    data: dict = field(default_factory=dict)
    status: int = 200
    headers: dict = field(default_factory=dict)
    due: timedelta | None | str = KEEP  # the deadline from now, or None, or as the workflow set


SCENARIOS: dict[str, Callable[[Desk, object], Visit]] = {}


def scenario(build: Callable[[Desk, object], Visit]) -> Callable[[Desk, object], Visit]:
    SCENARIOS[build.__name__] = build
    return build


@scenario
def candidate_seen_by_an_editor(desk, settings):
    article = desk.article(title="", publisher="", author="", published_at=None, url="javascript:1")
    claim = desk.claim(
        S.CANDIDATE,
        article=article,
        claimant="",
        triage_band="candidate",
        priority="low",
        start_offset=0,
        end_offset=0,  # no offsets: the claim's own words, highlighted
    )
    return Visit(
        desk.editor,
        claim,
        shows=(
            "Untitled article",
            "Unknown outlet",
            '<mark class="claim-highlight">The minister',
            "Unattributed",
            "Filed as a candidate:",
            '<dt>Topics</dt><dd><span class="muted">none</span></dd>',
            "priority-low",
            '<span class="due due-none">—</span>',
            "The claim is a candidate",
            "No earlier claim",
            "press <kbd>e</kbd>",
            '<details id="add-evidence" open>',
            "Promote to open",
            "Set priority",
            "Set topics",
            'class="danger">Dismiss</button>',
            '<li class="empty">No events yet.</li>',
        ),
        hides=(">original</a>", 'id="verdict-form"'),
    )


@scenario
def open_unassigned_seen_by_an_editor(desk, settings):
    claim = desk.claim(S.OPEN, triage_band="no_model", priority="urgent")
    hostile_topics(claim)
    matches_of_every_kind(desk, claim)
    return Visit(
        desk.editor,
        claim,
        shows=(
            "All claims",
            ">original</a>",
            '<mark class="claim-highlight" id="claim-in-text">',
            "not scored",
            f"<dt>Topics</dt><dd>Economy, Health, Topic {ESCAPED}</dd>",
            "priority-urgent",
            "nobody yet",
            '<div class="muted why-unassigned">Why: ',
            "The claim is waiting to be assigned",
            "Mostly false",
            f"Pants on fire {ESCAPED}",
            "no rating",
            "Another publisher",
            "read it</a>",
            "same words",
            "93% similar",
            '<span class="rating">False</span>',
            "Assign</button>",
        ),
        hides=("javascript:alert(3)",),
    )


@scenario
def open_seen_by_a_fact_checker(desk, settings):
    return Visit(
        desk.checker2,
        desk.claim(S.OPEN),
        shows=("My queue", "nobody yet", '<p class="empty">No evidence yet.</p>'),
        hides=("why-unassigned", "Add evidence", 'id="manage-heading"'),
    )


@scenario
def open_seen_by_a_superuser(desk, settings):
    root = UserFactory(username=f"root {EVIL}", is_superuser=True, is_staff=True)
    return Visit(
        root,
        desk.claim(S.OPEN, priority="high"),
        shows=("All claims", "why-unassigned", "Assign</button>", "Add evidence", "Dismiss"),
    )


@scenario
def assigned_seen_by_the_assignee(desk, settings):
    claim = desk.claim(S.ASSIGNED, priority="high")
    evidence_of_every_kind(desk, claim)
    return Visit(
        desk.checker,
        claim,
        due=timedelta(days=2),
        shows=(
            "due in 2 days",
            "assigned by editor <time",
            f" — Knows it {ESCAPED}</div>",
            'id="verdict-form"',
            '<section class="panel primary-panel" id="verdict"',
            'Evidence <span class="muted">(8)</span>',
            "archived copy</a>",
            # A source with no title of its own is named by the title its page gave.
            f'nofollow">Page {ESCAPED}</a>',
            f"404 from the server {ESCAPED}",
            "could not be reached (Error, checked",
            '<details class="evidence-diff">',
            "changed since it was cited",
            "…</a>",
            "javascript:alert(1)\n",
            "quote-found",
            "Quote not found in the source",
            "Quote not checked: no text could be read",
            '<p class="quote-status quote-pending">Quote not checked yet</p>',
            "Moved (301), checked",
            "Added by the scheduler",
            "Added by checker2",
            '<details id="add-evidence" >',
            "Decline this claim",
            "evidence added — https://example.org/a?x=1&amp;y=&#x27;q&#x27;",
        ),
        hides=("Manage", "javascript:alert(2)", 'nofollow">https://gone.example.org/</a>'),
    )


@scenario
def assigned_anyway_overriding_the_policy(desk, settings):
    ReviewerProfile.objects.filter(user=desk.checker2).update(available=False)
    claim = desk.claim(language="<i>&'\"")
    workflow.claim_assign(
        claim_id=claim.pk,
        assignee=desk.checker2,
        actor=desk.editor,
        reason=f"Only one who knows {EVIL}",
        assign_anyway=True,
    )
    return Visit(
        desk.editor,
        claim,
        due=-timedelta(days=3),
        shows=(
            '<div class="override" id="assignment-override"><strong>Assigned anyway</strong>, '
            "overriding the policy: is marked unavailable; does not list the claim&#x27;s "
            "language (&lt;i&gt;&amp;&#x27;&quot;)",
            f". Reason: Only one who knows {ESCAPED}</div>",
            '<span class="override">(assigned anyway, overriding: is marked unavailable;',
            "overdue by 3 days",
            "priority-normal",
            "Reassign</button>",
            "Unassign (back to open)",
        ),
    )


@scenario
def assigned_anyway_without_overriding(desk, settings):
    claim = desk.claim()
    workflow.claim_assign(
        claim_id=claim.pk,
        assignee=desk.checker2,
        actor=desk.editor,
        reason=f"By hand {EVIL}",
        assign_anyway=True,
    )
    return Visit(
        desk.editor,
        claim,
        due=None,
        shows=(
            "<strong>Assigned anyway</strong>. Reason: By hand",
            '<span class="override">(assigned anyway)</span>',
            '<p class="empty">No verdict yet.</p>',
        ),
        hides=("overriding",),
    )


@scenario
def assignee_without_an_assignment_event(desk, settings):
    # Assigned before the audit trail recorded assignments (an import): no "assigned by".
    claim = ClaimFactory(state=S.ASSIGNED, assignee=desk.checker2, priority="normal")
    return Visit(
        desk.editor,
        claim,
        shows=("<dt>Assignee</dt><dd><strong>checker2</strong></dd>", "No events yet."),
        hides=("assigned by",),
    )


@scenario
def draft_seen_by_the_assignee(desk, settings):
    claim = desk.claim(S.IN_REVIEW)
    desk.draft(claim.pk)
    return Visit(
        desk.checker,
        claim,
        due=timedelta(hours=3),
        shows=(
            "due-soon",
            f'value="Summary {ESCAPED}"',
            '<span class="muted">Draft saved <time',
            "draft verdict saved",
            "No evidence yet. Add the sources",
        ),
        # a fact-checker's history does not link drafts
        hides=(">verdict</a>", 'class="verdict-box"'),
    )


@scenario
def draft_hidden_from_another_fact_checker(desk, settings):
    claim = desk.claim(S.IN_REVIEW)
    desk.draft(claim.pk)
    return Visit(
        desk.checker2,
        claim,
        shows=(f"checker {ESCAPED} is writing a draft verdict", "draft verdict saved"),
        hides=(f"Summary {ESCAPED}", 'id="verdict-form"', "Decline this claim"),
    )


@scenario
def unrated_draft_seen_by_an_editor(desk, settings):
    claim = desk.claim(S.IN_REVIEW)
    desk.draft(claim.pk, rated=False)
    return Visit(
        desk.editor,
        claim,
        shows=(
            '<span class="rating">No rating yet</span>',
            f"Draft by checker {ESCAPED}",
            f"<p><strong>Summary {ESCAPED}</strong></p>",
            "<p>Second paragraph &amp; more</p>",
            ">verdict</a>",  # an editor's history links the draft
        ),
        hides=('id="decide"',),
    )


@scenario
def rating_only_draft_seen_by_an_editor(desk, settings):
    claim = desk.claim(S.IN_REVIEW)
    desk.draft(claim.pk, summary="", rationale="")
    return Visit(
        desk.editor,
        claim,
        shows=('<span class="rating">False</span> · <span class="muted verdict-byline">Draft by',),
        hides=("<p><strong>", "<div><p>"),
    )


@scenario
def draft_left_on_an_unassigned_claim(desk, settings):
    # The workflow retires a draft when its claim is unassigned; a row changed by hand (the
    # admin, a repair) can still leave one current: the page names no assignee then.
    claim = desk.claim(S.IN_REVIEW)
    desk.draft(claim.pk)
    Claim.objects.filter(pk=claim.pk).update(state=S.OPEN, assignee=None, due_at=None)
    return Visit(
        desk.checker2,
        claim,
        shows=("The assignee is writing a draft verdict", "nobody yet"),
        hides=(f"Summary {ESCAPED}",),
    )


@scenario
def returned_seen_by_the_assignee(desk, settings):
    claim = desk.claim(S.SUBMITTED)
    workflow.claim_return(claim_id=claim.pk, actor=desk.editor2, note=LINES)
    return Visit(
        desk.checker,
        claim,
        shows=(
            f"<strong>Returned by editor2 {ESCAPED}:</strong> First {ESCAPED}<br>",
            f'value="Summary {ESCAPED}"',  # the form starts from the returned verdict
            "verdict returned — note: First",
        ),
        hides=('class="verdict-box"',),
    )


@scenario
def returned_to_someone_who_no_longer_has_the_claim(desk, settings):
    claim = desk.claim(S.SUBMITTED)
    workflow.claim_return(claim_id=claim.pk, actor=desk.editor2, note=LINES)
    workflow.claim_reassign(claim_id=claim.pk, assignee=desk.checker2, actor=desk.editor)
    workflow.claim_start(claim_id=claim.pk, actor=desk.checker2)
    assert Verdict.objects.filter(claim=claim, state=Verdict.State.RETURNED).exists()
    return Visit(
        desk.checker2,
        claim,
        shows=('id="verdict-form"', "reassigned — to checker2; from checker", "work started"),
        hides=("Returned by", f"Summary {ESCAPED}"),
    )


@scenario
def submitted_seen_by_another_editor(desk, settings):
    claim = desk.claim(S.SUBMITTED, priority="urgent")
    return Visit(
        desk.editor2,
        claim,
        due=timedelta(hours=2),
        shows=(
            '<section class="panel primary-panel" id="decide"',
            '<span class="rating">False</span>',
            "waiting for an editor",
            f"<p>First {ESCAPED}<br>still the first paragraph</p>",
            "verdict submitted — rating: False",
            ">verdict</a>",
        ),
        hides=("This desk needs", 'class="vote"', "Submitted. The editors are told"),
    )


@scenario
def submitted_seen_by_an_editor_who_voted(desk, settings):
    settings.VERDICT_APPROVALS_REQUIRED = 2
    claim = desk.claim(S.SUBMITTED)
    workflow.claim_approve(claim_id=claim.pk, actor=desk.editor, note=f"Agreed {EVIL}")
    return Visit(
        desk.editor,
        claim,
        shows=(
            "This desk needs 2 approvals.",
            "You have voted on this verdict; it waits for other editors.",
            f"<li>editor: approve — “Agreed {ESCAPED}”</li>",
            "approval vote — note: Agreed",
            "1 of 2 approvals",
        ),
    )


@scenario
def votes_with_and_without_notes_after_a_return(desk, settings):
    settings.VERDICT_APPROVALS_REQUIRED = 3
    claim = desk.claim(S.SUBMITTED)
    workflow.claim_return(claim_id=claim.pk, actor=desk.editor, note=f"Again {EVIL}")
    desk.submit(claim.pk)
    workflow.claim_approve(claim_id=claim.pk, actor=desk.editor, note=f"Agreed {EVIL}")
    workflow.claim_approve(claim_id=claim.pk, actor=make_editor("editor3"))
    return Visit(
        desk.editor2,
        claim,
        shows=(
            "This desk needs 3 approvals.",
            "<li>editor: approve — “Agreed",
            "<li>editor3: approve</li>",
            'id="decide"',
        ),
        hides=("Returned by", "You have voted"),
    )


@scenario
def submitted_seen_by_the_editor_who_wrote_it(desk, settings):
    ReviewerProfile.objects.create(user=desk.editor, capacity=5, languages="en")
    claim = desk.claim(S.SUBMITTED, assignee=desk.editor)
    return Visit(
        desk.editor,
        claim,
        shows=(
            "Submitted. The editors are told",
            "You wrote this verdict: another editor must approve or return it.",
        ),
        hides=('id="decide"',),
    )


@scenario
def submitted_seen_by_its_author(desk, settings):
    return Visit(
        desk.checker,
        desk.claim(S.SUBMITTED),
        shows=(
            "Submitted. The editors are told",
            "My queue",
            "Written by checker",
            # not a draft: a fact-checker's history links it
            "verdict submitted — rating: False\n          \n          <a href=",
        ),
        hides=('id="verdict-form"', 'id="decide"', "Decline this claim"),
    )


@scenario
def submitted_seen_by_an_approver_only(desk, settings):
    return Visit(
        approver_only(),
        desk.claim(S.SUBMITTED),
        shows=('id="decide"', "All claims", "Add evidence"),
        hides=('id="manage-heading"',),
    )


@scenario
def approved_seen_by_an_editor(desk, settings):
    return Visit(
        desk.editor,
        desk.claim(S.APPROVED, priority="low"),
        shows=(f"approved by editor2 {ESCAPED}", "Publish the fact-check", "verdict approved"),
        hides=('id="decide"', 'id="verdict-form"'),
    )


@scenario
def published_seen_by_an_editor(desk, settings):
    claim = desk.claim(S.APPROVED)
    evidence_of_every_kind(desk, claim)
    workflow.claim_publish(claim_id=claim.pk, actor=desk.editor)
    return Visit(
        desk.editor,
        claim,
        due=-timedelta(days=2),
        shows=(
            "was due ",
            "Public page</a>",
            "Correct this fact-check</a>",
            "archived copy",
            "Set topics",  # the one editor's tool left on a published claim
        ),
        hides=("Add evidence", "Set priority", "Publish the fact-check"),
    )


@scenario
def published_seen_by_a_fact_checker(desk, settings):
    return Visit(
        desk.checker2,
        desk.claim(S.PUBLISHED),
        shows=("state-published", "My queue"),
        hides=('id="public-heading"', "Add evidence"),
    )


@scenario
def dismissed_as_opinion(desk, settings):
    return Visit(
        desk.editor,
        desk.claim(S.DISMISSED),
        shows=("<dt>Dismissed as</dt><dd>Opinion</dd>", "Restore as candidate", "reason: Opinion"),
        hides=("<dt>Repeats</dt>",),
    )


@scenario
def dismissed_as_repeating_another_claim(desk, settings):
    earlier = desk.claim(S.OPEN)
    claim = desk.claim(S.CANDIDATE)
    workflow.claim_dismiss(
        claim_id=claim.pk, actor=desk.editor, reason="duplicate", duplicate_of_id=earlier.pk
    )
    return Visit(
        desk.checker2,
        claim,
        shows=(
            "<dt>Dismissed as</dt><dd>Duplicate</dd>",
            f'<dt>Repeats</dt><dd><a href="/claims/{earlier.pk}/">claim {earlier.pk}</a></dd>',
        ),
    )


@scenario
def history_with_hostile_events(desk, settings):
    claim = desk.claim(S.ASSIGNED)
    verdict = desk.draft(claim.pk)
    for transition, details in [
        ("decline", {"from": EVIL, "reason": EVIL, "verdict": verdict.pk}),
        ("set_priority", {"from": EVIL, "to": "high"}),
        ("set_topics", {"topics": [EVIL, "economy"]}),
        ("approve_vote", {"note": EVIL, "rating": EVIL, "url": EVIL, "approvals": 1}),
        ("some_new_thing", {"url": "javascript:alert(4)"}),
        (
            "reassign",
            {"assignee": EVIL, "reason": EVIL, "assign_anyway": True, "overridden": [EVIL, "x"]},
        ),
    ]:
        ClaimEvent.objects.create(claim=claim, actor=None, transition=transition, details=details)
    return Visit(
        desk.editor,
        claim,
        shows=(
            f"<strong>Assigned anyway</strong>, overriding the policy: {ESCAPED}; x. Reason:",
            "assigned by the scheduler <time",
            f"declined — from {ESCAPED}; reason: {ESCAPED}",
            f"{ESCAPED} → high",
            f"topics changed — {ESCAPED}, economy",
            "of None approvals",
            "some new thing — javascript:alert(4)",
            f"(assigned anyway, overriding: {ESCAPED}; x)",
            '<span class="who">the scheduler</span>',
            ">verdict</a>",
        ),
    )


@scenario
def htmx_request_keeps_the_evidence_form_open(desk, settings):
    claim = desk.claim(S.ASSIGNED)
    evidence_of_every_kind(desk, claim)
    return Visit(
        desk.checker,
        claim,
        headers={"HX-Request": "true"},
        shows=('<details id="add-evidence" open>',),
    )


# --- Forms posted back with their errors ------------------------------------------------------


@scenario
def evidence_with_a_bad_address(desk, settings):
    claim = desk.claim(S.ASSIGNED)
    evidence_of_every_kind(desk, claim)
    return Visit(
        desk.checker,
        claim,
        action="evidence",
        data={
            "url": "javascript:alert(1)",
            "title": EVIL,
            "publisher": EVIL,
            "stance": EVIL,
            "excerpt": LINES,
            "note": LINES,
        },
        status=400,
        shows=(
            '<details id="add-evidence" open>',
            "Only http:// and https:// addresses are accepted",
            f'value="{ESCAPED}"',
            '<div class="field has-error">',
        ),
    )


@scenario
def verdict_with_bad_fields(desk, settings):
    claim = desk.claim(S.IN_REVIEW)
    desk.draft(claim.pk)
    return Visit(
        desk.checker,
        claim,
        action="verdict",
        data={"rating": "999999", "summary": EVIL * 8, "rationale": LINES, "intent": "save"},
        status=400,
        shows=("Select a valid choice", "Ensure this value has at most 300 characters"),
    )


@scenario
def verdict_from_a_stale_page(desk, settings):
    claim = desk.claim(S.ASSIGNED)
    loaded = claim.version
    workflow.claim_set_priority(claim_id=claim.pk, actor=desk.editor, priority="urgent")
    return Visit(
        desk.checker,
        claim,
        action="verdict",
        data={
            "version": loaded,
            "rating": rating("false").pk,
            "summary": f"Typed {EVIL}",
            "rationale": LINES,
            "intent": "save",
        },
        status=409,
        shows=(f'value="Typed {ESCAPED}"', f'name="version" value="{loaded + 1}"'),
    )


@scenario
def decline_without_a_reason(desk, settings):
    return Visit(
        desk.checker,
        desk.claim(S.ASSIGNED),
        action="decline",
        data={"reason": ""},
        status=400,
        shows=('<details class="panel quiet" open>', "This field is required."),
    )


@scenario
def assign_to_nobody_known(desk, settings):
    return Visit(
        desk.editor,
        desk.claim(S.OPEN),
        action="assign",
        data={"assignee": "999999", "reason": EVIL, "assign_anyway": "on"},
        status=400,
        shows=("Select a valid choice", f'value="{ESCAPED}"', "checked"),
    )


@scenario
def assign_anyway_without_a_reason(desk, settings):
    claim = desk.claim(S.OPEN)
    return Visit(
        desk.editor,
        claim,
        action="assign",
        data={"assignee": desk.checker2.pk, "reason": "", "assign_anyway": "on"},
        status=400,
        shows=(f'<option value="{desk.checker2.pk}" selected>checker2</option>', "checked"),
    )


@scenario
def priority_not_on_the_list(desk, settings):
    return Visit(
        desk.editor,
        desk.claim(S.OPEN),
        action="priority",
        data={"priority": EVIL},
        status=400,
        shows=("Select a valid choice", "has-error"),
    )


@scenario
def topics_not_on_the_list(desk, settings):
    claim = desk.claim(S.OPEN)
    hostile_topics(claim)
    return Visit(
        desk.editor,
        claim,
        action="topics",
        data={"topics": ["x", EVIL]},
        status=400,
        shows=("is not a valid value", "has-error"),
    )


@scenario
def dismiss_for_no_known_reason(desk, settings):
    return Visit(
        desk.editor,
        desk.claim(S.CANDIDATE),
        action="dismiss",
        data={"reason": EVIL},
        status=400,
        shows=("Select a valid choice", "Dismiss as"),
    )


@scenario
def return_without_a_note(desk, settings):
    return Visit(
        desk.editor2,
        desk.claim(S.SUBMITTED),
        action="decide",
        data={"note": "   ", "intent": "return"},
        status=400,
        shows=('id="decide"', 'name="note"'),
    )


@scenario
def refused_transition(desk, settings):
    # Promoting an open claim: a 409, the page again (the form posted has no place on it).
    return Visit(
        desk.editor,
        desk.claim(S.OPEN),
        action="promote",
        status=409,
        shows=("why-unassigned",),
    )


# --- The test --------------------------------------------------------------------------------


@pytest.fixture
def desk(db) -> Desk:
    return Desk()


def back_in_time() -> None:
    """Every stored time moved AGO into the past, but deadlines (each visit sets its own) and
    what publication freezes (the database's triggers refuse it; the page shows no publication
    time, and evidence_of_every_kind dates its sources itself). A plain QuerySet: the audit
    trail's manager rightly refuses updates outside a test."""
    for model in (
        Article,
        Claim,
        Verdict,
        ApprovalVote,
        ClaimEvent,
        Evidence,
        EvidenceSnapshot,
        ClaimMatch,
        PastFactCheck,
    ):
        moved = {
            f.attname: F(f.attname) - AGO
            for f in model._meta.concrete_fields
            if isinstance(f, DateTimeField)
            and (model, f.name) not in {(Claim, "due_at"), (Claim, "published_at")}
        }
        rows = QuerySet(model)
        if model is Evidence:
            rows = rows.exclude(claim__state=S.PUBLISHED)
        rows.update(**moved)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_served_content_is_the_before_templates(name, desk, settings, captured):
    visit = SCENARIOS[name](desk, settings)
    claims = Claim.objects.filter(pk=visit.claim.pk)
    back_in_time()
    if visit.due != KEEP:
        claims.update(due_at=None if visit.due is None else timezone.now() + visit.due)
    client = Client()
    client.force_login(visit.viewer)
    if visit.action:
        url = reverse("claims:claim_action", args=[visit.claim.pk, visit.action])
        data = {"version": claims.get().version, **visit.data}
        response = client.post(url, data, headers=visit.headers)
    else:
        url = reverse("claims:claim", args=[visit.claim.pk])
        response = client.get(url, headers=visit.headers)
    assert response.status_code == visit.status
    assert len(captured) == 1, f"claim_context was called {len(captured)} times"
    request, context = captured[0]

    served = content_of(response.content.decode())
    assert len(set(CSRF.findall(served))) <= 1, "The content's forms carry different tokens."
    before = engines["django"].from_string(BEFORE_TEXT).render(context, request)
    served_plain, before_plain = without_tokens(served), without_tokens(before)
    if served_plain != before_plain:
        pytest.fail(
            f"The served content is not the template's:\n{diff(before_plain, served_plain)}"
        )

    missing = [text for text in visit.shows if text not in served]
    assert not missing, f"{name}: the branch is not shown: {missing}"
    present = [text for text in visit.hides if text in served]
    assert not present, f"{name}: shown but should not be: {present}"
    assert ESCAPED in served and "<script>" not in served


def test_the_content_is_cut_where_the_block_is():
    page = (
        '<main id="main" tabindex="-1">\n  <div id="messages" role="status" aria-live="polite">'
        '<ul class="messages"><li>x</li></ul></div>\n  \nA</div>\n</main>\n<p>after</p>'
    )
    assert content_of(page) == "\nA</div>"
    with pytest.raises(AssertionError):
        content_of(page.replace('id="messages"', 'id="other"'))
    with pytest.raises(AssertionError):
        content_of(page.replace("\n</main>", "</main>"))
