"""Ingest an article (text, file or web address), watch its extraction, triage its sentences."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from claims import permissions, selectors, services
from claims.errors import WorkflowError
from claims.forms import BULK_TRIAGE_ACTIONS, BulkForm, IngestForm
from claims.models import Article, Claim, Topic

from .bulk import apply_bulk
from .common import (
    cached_fragment,
    forbidden,
    model_choices_from,
    page_lookups,
    requires,
    summarise_bulk,
)
from .rows import sentence_rows

WORKING_STATUSES = {Article.Status.PENDING, Article.Status.FETCHING, Article.Status.PROCESSING}
# htmx stops a polling element when its answer has this status (and still swaps the content).
HTMX_STOP_POLLING = 286


def _file(request, form: IngestForm) -> tuple[Article, bool]:
    data = form.cleaned_data
    given = {
        "submitted_by": request.user,
        "title": data["title"],
        "publisher": data["publisher"],
        "author": data["author"],
        "published_at": data["published_at"],
    }
    upload = data.get("file")
    if upload and upload["kind"] == "html":
        return services.article_create_from_html(html=upload["content"], **given)
    if upload:
        return services.article_create_from_text(text=upload["content"], **given)
    if data["url"]:
        return services.article_create_from_url(url=data["url"], submitted_by=request.user)
    return services.article_create_from_text(text=data["text"], **given)


@requires(permissions.can_ingest, "Only editors can ingest articles.")
def ingest(request):
    status = 200
    if request.method == "POST":
        form = IngestForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                article, created = _file(request, form)
            except WorkflowError as exc:
                messages.error(request, str(exc))
                status = 400
            else:
                if created:
                    messages.success(request, "Article filed. Its claims are being extracted.")
                else:
                    messages.info(request, "This article was filed before; here it is.")
                return redirect("claims:article", pk=article.pk)
        else:
            status = 400
            for error in form.non_field_errors():
                messages.error(request, error)
    else:
        form = IngestForm()
    return render(
        request,
        "claims/ingest.html",
        {
            "form": form,
            "recent_articles": selectors.recent_articles(),
        },
        status=status,
    )


def _article_or_404(pk: int) -> Article:
    article = selectors.article_page(pk)
    if article is None:
        raise Http404("There is no such article.")
    return article


def _article_context(request, article: Article, page_number, **extra) -> dict:
    """The article page's context: one page of its sentences, the counts of all of them, and
    the part of the text those sentences come from (so one page costs the same whatever the
    article's length)."""
    page, counts = selectors.article_sentences_page(article, page_number)
    claims = list(page.object_list)
    topics = selectors.topics_with_claims(claims)  # the rows' topics and the bulk form's choices
    shown, low = sentence_rows(
        claims, can_triage=extra.get("can_triage", False), selected=extra.get("selected", ())
    )
    return {**_page_context(article, claims, page, counts, shown, low), "topics": topics, **extra}


def _page_context(article: Article, claims: list, page, counts: dict, shown, low) -> dict:
    """What both ways of building the article page (a form shown again, a plain read) give
    the template: one page of sentence rows, the counts and the text they come from."""
    text, text_cut = selectors.article_text_of(article, claims)
    return {
        "article": article,
        "claims": claims,
        "sentence_rows": mark_safe("".join(shown)),  # noqa: S308 (rows escaped by sentence_rows)
        "low_claims": low,
        "low_rows": mark_safe("".join(low)),  # noqa: S308 (the same)
        "page": page,
        "claim_total": counts["total"],
        "candidate_count": counts["candidates"],
        "open_count": counts["open"],
        "article_text": text,
        "article_text_cut": text_cut,
        "working": article.status in WORKING_STATUSES,
    }


# Past this page number the page is found from the count first (no article has so many pages;
# an offset that large would overflow the database's integers).
FAR_PAGE = 1_000_000


def _asked_page(number) -> int | None:
    """The page `Paginator.get_page(number)` shows, where that is known without the count: 1
    for anything not a whole number, the number itself from 1 up (None below 1 or past
    FAR_PAGE: the last page, which needs the count)."""
    try:
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        asked = int(number)
    except (TypeError, ValueError):
        return 1
    return asked if 1 <= asked <= FAR_PAGE else None


def _sentence_lookups(request, article: Article, claims: list[Claim]) -> tuple[dict, list]:
    """One query for the article page besides its sentences: the counts of all its sentences,
    every topic (the bulk form's choices) with which of `claims` has it, and the header's
    counts. Returns the counts and the topics (id, name), by name; each claim's topic names
    are left on it as `topic_names`."""
    q = connection.ops.quote_name
    rows = {
        "counts": (
            _counts_sql(),
            [Claim.State.OPEN.value, Claim.State.CANDIDATE.value, article.pk],
        ),
        "topic_id": (
            f"SELECT 'topic_id', CAST(id AS varchar), name, name, 0, id "  # noqa: S608 (table name)
            f"FROM {q(Topic._meta.db_table)}",
            [],
        ),
    }
    if claims:
        through = Claim.topics.through._meta
        claim_column = through.get_field("claim").column
        topic_column = through.get_field("topic").column
        rows["link"] = (
            f"SELECT 'link', CAST({q(claim_column)} AS varchar), "  # noqa: S608 (names from the models)
            f"CAST({q(topic_column)} AS varchar), '', 0, 0 FROM {q(through.db_table)} "
            f"WHERE {q(claim_column)} IN ({', '.join(['%s'] * len(claims))})",
            [c.pk for c in claims],
        )
    found, _figures = page_lookups(request, rows=rows)
    total, _label, _text, opened, candidates = found["counts"][0]
    counts = {"total": int(total), "open": int(opened), "candidates": int(candidates)}
    topics = [(int(pk), name) for pk, name, *_order in found["topic_id"]]
    order = {pk: index for index, (pk, _name) in enumerate(topics)}
    names = dict(topics)
    by_claim: dict[int, list[int]] = {}
    for claim_id, topic_id, *_order in found.get("link", ()):
        by_claim.setdefault(int(claim_id), []).append(int(topic_id))
    for claim in claims:
        claim.topic_names = [
            names[t] for t in sorted(by_claim.get(claim.pk, ()), key=order.__getitem__)
        ]
    return counts, topics


@functools.cache
def _counts_sql() -> str:
    """The article's sentences counted in all, open and candidate (parameters: the two states
    and the article's id), as a row for `page_lookups`; written out once from the model."""
    q = connection.ops.quote_name
    meta = Claim._meta
    state = q(meta.get_field("state").column)
    return (
        "SELECT 'counts', CAST(COUNT(*) AS varchar), '', '', "  # noqa: S608 (names from the model)
        f"COALESCE(SUM(CASE WHEN {state} = %s THEN 1 ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN {state} = %s THEN 1 ELSE 0 END), 0) "
        f"FROM {q(meta.db_table)} WHERE {q(meta.get_field('article').column)} = %s"
    )


def _article_bulk_bar(topics: list[tuple[int, str]]) -> SafeString:
    """claims/_article_bulk_bar.html, unbound: rendered once per distinct list of topics."""

    def render() -> str:
        form = BulkForm(actions=BULK_TRIAGE_ACTIONS, claim_ids=[])
        form.fields["topics"].widget.choices = [(str(pk), name) for pk, name in topics]
        return render_to_string("claims/_article_bulk_bar.html", {"bulk_form": form})

    return cached_fragment(("article_bulk_bar", tuple(topics)), render)


@requires(permissions.can_view_claims, "Only fact-checkers and editors can open articles.")
def article_detail(request, pk: int):
    """One page of the article's sentences in three queries besides the session's: the
    article, the page's sentences, and everything else (`_sentence_lookups`)."""
    article = _article_or_404(pk)
    can_triage = permissions.can_triage(request.user)
    sentences = selectors.article_sentences(article)
    per_page = selectors.ARTICLE_SENTENCES_PER_PAGE
    asked = _asked_page(request.GET.get("page"))
    # The page asked for is read before its count (which comes with the topics of its rows);
    # a page past the end is read again once the count says which is the last.
    claims = list(sentences[(asked - 1) * per_page : asked * per_page]) if asked else []
    counts, topics = _sentence_lookups(request, article, claims)
    paginator = Paginator(sentences, per_page)
    paginator.count = counts["total"]
    number = paginator.get_page(request.GET.get("page")).number
    if number != asked:
        claims = list(sentences[(number - 1) * per_page : number * per_page])
        counts, topics = _sentence_lookups(request, article, claims)
        paginator.count = counts["total"]
        number = min(number, paginator.num_pages)
    page = paginator._get_page(claims, number, paginator)
    shown, low = sentence_rows(
        claims,
        can_triage=can_triage,
        selected=(),
        topic_names={c.pk: c.topic_names for c in claims},
    )
    context = {
        **_page_context(article, claims, page, counts, shown, low),
        "can_triage": can_triage,
        "bulk_bar": _article_bulk_bar(topics) if can_triage else "",
    }
    return render(request, "claims/article_detail.html", context)


@requires(permissions.can_view_claims, "Only fact-checkers and editors can open articles.")
def article_status(request, pk: int):
    """The live progress fragment that htmx polls every second.

    Once extraction ends the answer is 286, htmx's "stop polling", with the final fragment; the
    page then follows its link to the sentences once (static/js/app.js). Never HX-Refresh: a
    refresh keeps the old poller running while the page reloads, and each poll reloads again.
    """
    article = (
        Article.objects.filter(pk=pk).only("pk", "status", "progress", "status_detail").first()
    )
    if article is None:
        raise Http404("There is no such article.")
    response = render(
        request,
        "claims/_article_status.html",
        {"article": article, "working": article.status in WORKING_STATUSES},
    )
    if request.headers.get("HX-Request") and article.status not in WORKING_STATUSES:
        response.status_code = HTMX_STOP_POLLING
    return response


@require_POST
@requires(permissions.can_view_claims, "Only fact-checkers and editors can open articles.")
def article_triage(request, pk: int):
    if not permissions.can_triage(request.user):
        return forbidden(request, "Only editors can promote, dismiss or prioritise claims.")
    article = _article_or_404(pk)
    ids = list(Claim.objects.filter(article_id=article.pk).values_list("pk", flat=True))
    form = BulkForm(request.POST, actions=BULK_TRIAGE_ACTIONS, claim_ids=ids)
    page_number = request.POST.get("page") or request.GET.get("page")
    if form.is_valid():
        done, failed, verb = apply_bulk(request.user, form)
        summarise_bulk(request, done, failed, verb)
        page = f"?page={int(page_number)}" if str(page_number or "").isdigit() else ""
        return redirect(reverse("claims:article", args=[pk]) + page + "#sentences")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    context = _article_context(
        request,
        article,
        page_number,
        can_triage=True,
        bulk_form=form,
        selected={int(i) for i in request.POST.getlist("claims") if i.isdigit()},
    )
    model_choices_from(form, "topics", context["topics"])
    context["bulk_bar"] = render_to_string("claims/_article_bulk_bar.html", {"bulk_form": form})
    return render(request, "claims/article_detail.html", context, status=400)
