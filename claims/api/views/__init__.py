"""API views: thin, over claims/api/selectors.py (reads) and the services (writes)."""
