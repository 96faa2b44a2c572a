"""File an article (a .txt or .html file, `-` for standard input, or a URL) and its claims."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims import services
from claims.errors import WorkflowError
from claims.models import Article


class Command(BaseCommand):
    help = "File an article and its claims; prints the article id and the claims filed."

    def add_arguments(self, parser):
        parser.add_argument("source", help="path to a .txt or .html file, '-' for stdin, or a URL")
        parser.add_argument("--url", help="the article's web address, when giving a file")

    def handle(self, *args, source: str, url: str | None = None, **options):
        try:
            if source.startswith(("http://", "https://")) or "://" in source:
                article, created = services.article_create_from_url(url=source)
                if created or article.status not in {Article.Status.READY, Article.Status.FAILED}:
                    services.article_fetch(article_id=article.pk)
            else:
                article, created = self._from_file(source, url)
                if article.status != Article.Status.READY:
                    services.article_extract_claims(article_id=article.pk)
        except WorkflowError as exc:
            raise CommandError(str(exc)) from exc
        article.refresh_from_db()
        if article.status == Article.Status.FAILED:
            raise CommandError(f"Article {article.pk} failed: {article.status_detail}")
        verb = "Filed" if created else "Already filed:"
        self.stdout.write(f"{verb} article {article.pk}: {article}")
        for claim in article.claims.order_by("position"):
            who = claim.claimant or "(the article)"
            self.stdout.write(
                f"  #{claim.pk} [{claim.state}] {claim.score:.2f} {who}: {claim.text}"
            )

    def _from_file(self, source: str, url: str | None):
        limit = settings.ARTICLE_MAX_BYTES
        too_large = (
            f"{{name}} is too large (more than {limit // 2**20} MB; an article may have at most "
            f"{settings.ARTICLE_MAX_CHARS:,} characters and {settings.ARTICLE_MAX_SENTENCES:,} "
            "sentences). Split it into parts."
        )
        if source == "-":
            raw = sys.stdin.buffer.read(limit + 1)
            name = "stdin"
        else:
            path = Path(source)
            if not path.is_file():
                raise CommandError(f"No such file: {source}")
            name = path.name
            if path.stat().st_size > limit:
                raise CommandError(too_large.format(name=name))
            raw = path.read_bytes()
        if len(raw) > limit:
            raise CommandError(too_large.format(name=name))
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(f"{name} is not UTF-8 text; convert it first.") from exc
        looks_html = name.lower().endswith((".html", ".htm")) or text.lstrip()[:1] == "<"
        if looks_html:
            return services.article_create_from_html(html=text, url=url)
        return services.article_create_from_text(text=text, url=url)
