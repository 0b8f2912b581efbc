import pytest

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
