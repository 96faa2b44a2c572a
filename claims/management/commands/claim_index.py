"""manage.py claim_index: write the similar-claims index files afresh from the database."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from claims import matching


class Command(BaseCommand):
    help = (
        "Rebuild the similar-claims index files (CLAIM_INDEX_DIR) from every stored vector: "
        "after a first deployment or a restored database, instead of folding rows in batches."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        counts = matching.rebuild_indexes()
        took = time.perf_counter() - started
        held = ", ".join(f"{kind}: {count:,}" for kind, count in counts.items())
        self.stdout.write(f"Rebuilt the index files in {took:.1f} s ({held}).")
