"""manage.py import_claimreview FILE_OR_URL: past fact-checks from ClaimReview JSON-LD."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from claims.errors import WorkflowError
from claims.importers import claimreview


class Command(BaseCommand):
    help = (
        "Import ClaimReview JSON-LD (a review, a list, @graph, a DataFeed, or a Fact Check Tools "
        "API answer) from a file, an http/https URL or - (standard input) as past fact-checks."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="A file path, an http(s) URL, or - for stdin.")

    def handle(self, *args, **options):
        source = options["source"]
        try:
            if source == "-":
                data = sys.stdin.buffer.read(claimreview.MAX_BYTES + 1)
                if len(data) > claimreview.MAX_BYTES:
                    raise CommandError("Standard input is larger than the import limit.")
                document = claimreview.parse_json(data)
            else:
                document = claimreview.parse_json(claimreview.read_source(source))
            result = claimreview.import_claimreview(document=document)
        except WorkflowError as error:
            raise CommandError(error.message) from None
        for problem in result.skipped[:20]:
            self.stderr.write(f"Skipped: {problem}")
        if len(result.skipped) > 20:
            self.stderr.write(f"... and {len(result.skipped) - 20} more skipped.")
        self.stdout.write(self.style.SUCCESS(result.summary()))
