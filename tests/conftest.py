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


# Data migrations fill these tables (groups and their permissions, the rating scale, topics).
DATA_MIGRATIONS = [
    ("claims", "0002_default_ratings_and_topics"),
    ("claims", "0006_topic_meanings_triage"),  # topic descriptions, examples and new desks
    ("reviewers", "0002_groups"),
]


def _restore_reference_data() -> None:
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from claims.models import Rating
    from claims.permissions import EDITORS

    if Group.objects.filter(name=EDITORS).exists() and Rating.objects.exists():
        return
    loader = MigrationLoader(connection)
    for key in DATA_MIGRATIONS:
        state = loader.project_state(key, at_end=True)
        for operation in loader.get_migration(*key).operations:
            operation.code(state.apps, None)


@pytest.fixture(autouse=True)
def reference_data(request):
    """Put back what the data migrations created when an earlier transactional test flushed it.

    Serialized rollback cannot do it for the browser tests: while Playwright's sync API runs,
    Django hands this thread other connection objects that do not carry the serialized contents.
    """
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(
        {"transactional_db", "live_server"} & names
        or (marker is not None and marker.kwargs.get("transaction"))
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in names:
        request.getfixturevalue("db")
    else:
        return
    _restore_reference_data()
