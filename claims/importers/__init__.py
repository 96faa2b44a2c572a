"""Importers of other publishers' data (ClaimReview JSON-LD) into past fact-checks."""
