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
from .common import forbidden, requires, summarise_bulk

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
            "url_ingestion": hasattr(services, "article_create_from_url"),
        },
        status=status,
    )


def _article_or_404(pk: int) -> Article:
    article = selectors.article_for_triage(pk)
    if article is None:
        raise Http404("There is no such article.")
    return article


@requires(permissions.can_view_claims, "Only fact-checkers and editors can open articles.")
def article_detail(request, pk: int):
    article = _article_or_404(pk)
    claims = list(article.claims.all())
    can_triage = permissions.can_triage(request.user)
    form = (
        BulkForm(actions=BULK_TRIAGE_ACTIONS, claim_ids=[c.pk for c in claims])
        if can_triage
        else None
    )
    return render(
        request,
        "claims/article_detail.html",
        {
            "article": article,
            "claims": claims,
            "working": article.status in WORKING_STATUSES,
            "can_triage": can_triage,
            "bulk_form": form,
            "candidate_count": sum(c.state == Claim.State.CANDIDATE for c in claims),
            "open_count": sum(c.state == Claim.State.OPEN for c in claims),
        },
    )


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
    ids = [c.pk for c in article.claims.all()]
    form = BulkForm(request.POST, actions=BULK_TRIAGE_ACTIONS, claim_ids=ids)
    if form.is_valid():
        done, failed, verb = apply_bulk(request.user, form)
        summarise_bulk(request, done, failed, verb)
        return redirect(reverse("claims:article", args=[pk]) + "#sentences")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    article = _article_or_404(pk)
    claims = list(article.claims.all())
    return render(
        request,
        "claims/article_detail.html",
        {
            "article": article,
            "claims": claims,
            "working": article.status in WORKING_STATUSES,
            "can_triage": True,
            "bulk_form": form,
            "selected": {int(i) for i in request.POST.getlist("claims") if i.isdigit()},
            "candidate_count": sum(c.state == Claim.State.CANDIDATE for c in claims),
            "open_count": sum(c.state == Claim.State.OPEN for c in claims),
        },
        status=400,
    )
