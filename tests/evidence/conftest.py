import pytest

from tests.evidence.site import LocalSite


@pytest.fixture
def site(settings):
    """A local web site on 127.0.0.1; loopback fetches allowed for the test."""
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = True
    local = LocalSite().start()
    yield local
    local.stop()
