"""The reviewers app's part of the REST API (registered by factcheck/api_urls.py)."""
