"""Ingest an article (text, file or web address), watch its extraction, triage its sentences."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from claims import permissions, selectors, services
from claims.errors import WorkflowError
from claims.forms import BULK_TRIAGE_ACTIONS, BulkForm, IngestForm
from claims.models import Article, Claim

from .bulk import apply_bulk
from .common import forbidden, model_choices_from, requires, summarise_bulk
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
    text, text_cut = selectors.article_text_of(article, claims)
    shown, low = sentence_rows(
        claims, can_triage=extra.get("can_triage", False), selected=extra.get("selected", ())
    )
    return {
        "article": article,
        "claims": claims,
        "sentence_rows": shown,
        "low_claims": low,
        "page": page,
        "claim_total": counts["total"],
        "candidate_count": counts["candidates"],
        "open_count": counts["open"],
        "article_text": text,
        "article_text_cut": text_cut,
        "working": article.status in WORKING_STATUSES,
        "topics": topics,
        **extra,
    }


@requires(permissions.can_view_claims, "Only fact-checkers and editors can open articles.")
def article_detail(request, pk: int):
    article = _article_or_404(pk)
    can_triage = permissions.can_triage(request.user)
    context = _article_context(request, article, request.GET.get("page"), can_triage=can_triage)
    if can_triage:
        context["bulk_form"] = BulkForm(
            actions=BULK_TRIAGE_ACTIONS, claim_ids=[c.pk for c in context["claims"]]
        )
        model_choices_from(context["bulk_form"], "topics", context["topics"])
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
    return render(request, "claims/article_detail.html", context, status=400)
