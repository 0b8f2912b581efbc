import pytest
from django.core.cache import caches

from tests import factories


@pytest.fixture
def facilitator(db):
    return factories.facilitator(username="animatrice.test")


@pytest.fixture
def other_facilitator(db):
    return factories.facilitator(username="autre.animateur")


@pytest.fixture
def concertation(facilitator):
    return factories.territorial_concertation(facilitators=[facilitator])


@pytest.fixture(autouse=True)
def _rate_limits_only_when_tested(request, settings):
    """Rate-limit counters live in a shared cache that outlives a test; only the tests about
    rate limiting keep them on, starting from empty counters."""
    if request.node.get_closest_marker("ratelimit"):
        request.getfixturevalue("db")
        caches["ratelimit"].clear()
    else:
        settings.RATELIMIT_ENABLE = False
