import time
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings
from django.utils import translation

from tests import factories


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Production hashes passwords with PBKDF2 (a million rounds, about half a second each, on
    purpose); tests create and log in hundreds of accounts, so they use a fast hasher instead.
    Set for the session, before the module-wide data that creates accounts."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _french_to_start_with():
    """Each test starts in French, as a request does: a request in English (language cookie)
    leaves English active on its thread, and services called directly afterwards would speak it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


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
def _rate_limits_only_when_tested(request, settings, monkeypatch):
    """Rate-limit counters live in a shared cache that outlives a test; only the tests about
    rate limiting keep them on, starting from empty counters, and with django-ratelimit's clock
    stopped: its windows turn over at a moment of their own for each key (every 10 minutes for
    a password), and a test running across that moment would start counting again halfway."""
    if request.node.get_closest_marker("ratelimit"):
        request.getfixturevalue("db")
        caches["ratelimit"].clear()
        now = time.time()
        monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))
    else:
        settings.RATELIMIT_ENABLE = False
