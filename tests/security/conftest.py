import uuid

import pytest


@pytest.fixture(autouse=True)
def own_cache_namespace(settings):
    """Throttle counters per test: the same cache backend (Redis in CI), a fresh key prefix."""
    caches = {name: dict(conf) for name, conf in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches
