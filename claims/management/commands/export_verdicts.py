"""manage.py export_verdicts --format csv|json|jsonl|claimreview|pdf [filters] --output FILE"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from claims.errors import WorkflowError
from claims.exports import selectors, services
from claims.exports.formats import FORMATS


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


class Command(BaseCommand):
    help = (
        "Export verdicts, filtered like the claims list. Without --state: approved and "
        "published claims."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=list(FORMATS))
        parser.add_argument("--output", required=True, help="A file path, or - for stdout.")
        parser.add_argument("--state", action="append", help="Claim state(s), comma-separated.")
        parser.add_argument("--rating", action="append", help="Rating slug(s), e.g. false.")
        parser.add_argument("--topic", action="append", help="Topic slug(s).")
        parser.add_argument("--article", type=int, help="Article id.")
        parser.add_argument("--publisher", help="The article's publisher (exact, any case).")
        parser.add_argument("--reviewer", help="The assignee's username.")
        parser.add_argument("--claimant", help="Part of the claimant's name.")
        parser.add_argument("--since", help="Filed on or after (YYYY-MM-DD).")
        parser.add_argument("--until", help="Filed on or before (YYYY-MM-DD).")

    def handle(self, *args, **options):
        filters = {
            "state": _split(options["state"]),
            "rating": _split(options["rating"]),
            "topic": _split(options["topic"]),
            "article": options["article"],
            "publisher": options["publisher"],
            "reviewer": options["reviewer"],
            "claimant": options["claimant"],
            "created_after": options["since"],
            "created_before": options["until"],
        }
        try:
            queryset = selectors.export_queryset(user=None, filters=filters)
            if options["output"] == "-":
                count = services.write_export(
                    options["format"], queryset, sys.stdout.buffer, filters=filters
                )
                sys.stdout.flush()
            else:
                with open(options["output"], "wb") as out:
                    count = services.write_export(options["format"], queryset, out, filters=filters)
        except WorkflowError as error:
            raise CommandError(error.message) from None
        except OSError as error:
            raise CommandError(f"Could not write {options['output']}: {error.strerror}.") from None
        self.stderr.write(
            f"Exported {count} claim(s) as {options['format']} to {options['output']}."
        )
