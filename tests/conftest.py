import os

import pytest

from factcheck.celery import app as celery_app

# Tests get a queue of their own, so that a `make run` worker or another test run on the same
# broker never takes their tasks.
celery_app.conf.task_default_queue = f"factcheck-test-{os.getpid()}"


@pytest.fixture
def editor(db):
    from tests.factories import editor

    return editor("editor")


@pytest.fixture
def editor2(db):
    from tests.factories import editor

    return editor("editor2")


@pytest.fixture
def checker(db):
    from tests.factories import fact_checker

    return fact_checker("checker")


@pytest.fixture
def checker2(db):
    from tests.factories import fact_checker

    return fact_checker("checker2")


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (in a thread) consuming from the configured broker."""
    from celery.contrib.testing.worker import start_worker

    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30, loglevel="WARNING"
    ) as worker:
        yield worker


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site(settings):
    """A local web site on 127.0.0.1 (tests/localsite.py); loopback fetches allowed."""
    from tests.localsite import LocalSite

    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = True
    local = LocalSite().start()
    yield local
    local.stop()


@pytest.fixture(autouse=True)
def _fresh_similarity_cache():
    """The similar-claim matcher caches vectors per process; each test starts clean."""
    from claims import matching

    matching.reset_cache()
    yield
    matching.reset_cache()
