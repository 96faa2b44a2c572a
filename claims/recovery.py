"""The claims app's sweeper: its lost work is redone within minutes (README "Recovery").

Every job of this app is recorded with a lease in PostgreSQL (jobs.leases): extraction, URL
fetches, exports, link checks and archive requests. The sweep
- sends again each job whose lease ran out (a lost message, a killed worker, a flushed broker),
  as the task it was (a lost URL fetch is fetched again, never merely extracted);
- gives up on a job whose runs keep dying, and records why on the article or the export;
- adopts work that has no job row at all (rows filed before leases existed): articles still
  pending, fetching or processing, exports still queued or running;
- matches claims a lost job left without "checked before" matching.
The reviewers app sweeps its own work (reviewers/recovery.py).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from jobs import leases, scheduling

from . import matching, services
from .models import Article, Export

logger = logging.getLogger(__name__)

EXTRACT = "claims.extract_claims"
FETCH = "claims.fetch_article"
BUILD_EXPORT = "claims.build_export"
ARTICLE_JOBS = [EXTRACT, FETCH]
STUCK_ARTICLE = [Article.Status.PENDING, Article.Status.FETCHING, Article.Status.PROCESSING]
STUCK_EXPORT = [Export.State.QUEUED, Export.State.RUNNING]


def _article_given_up(key: str, reason: str) -> None:
    services.article_mark_failed(article_id=int(key), reason=reason)


leases.on_give_up(EXTRACT)(_article_given_up)
leases.on_give_up(FETCH)(_article_given_up)


@leases.on_give_up(BUILD_EXPORT)
def _export_given_up(key: str, reason: str) -> None:
    Export.objects.filter(pk=int(key), state__in=STUCK_EXPORT).update(
        state=Export.State.FAILED, error=reason, finished_at=timezone.now()
    )


def queue_article(article: Article) -> None:
    """The job an article in progress needs: a fetch when its text is not here yet."""
    if article.source == Article.Source.URL and not article.body:
        leases.enqueue(FETCH, article.pk, key=article.pk)
    else:
        leases.enqueue(EXTRACT, article.pk, key=article.pk)


def _adopt_orphans(batch: int) -> int:
    """Work in progress with no job row (filed before leases, or by a path that bypassed them)."""
    cutoff = timezone.now() - timedelta(seconds=leases.lease_seconds())
    adopted = 0
    articles = (
        Article.objects.filter(status__in=STUCK_ARTICLE, updated_at__lt=cutoff)
        .exclude(pk__in=leases.keys_of(ARTICLE_JOBS))
        .only("pk", "source", "body")
        .order_by("pk")[:batch]
    )
    for article in articles:
        queue_article(article)
        adopted += 1
    exports = (
        Export.objects.filter(state__in=STUCK_EXPORT, created_at__lt=cutoff)
        .exclude(pk__in=leases.keys_of([BUILD_EXPORT]))
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    for export_id in exports:
        leases.enqueue(BUILD_EXPORT, export_id, key=export_id)
        adopted += 1
    return adopted


def sweep(*, batch: int = 500) -> dict:
    result = leases.sweep(prefix="claims.", batch=batch)
    result["adopted"] = _adopt_orphans(batch)
    # Claims filed a minute ago and still without an embedding: their job lost its matching.
    result["matched"] = matching.match_unmatched(older_than_minutes=1, batch=batch)
    scheduling.prune()
    return result
