"""The device's place cookie: checked once per process for its signature, but its age on every
request, and a forged one never opens a place."""

import time

import pytest

from tests.workshops import live_data
from tests.workshops.test_live import join
from workshops import live_views
from workshops.live_views import COOKIE, COOKIE_MAX_AGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def joined(client, concertation):
    agents = live_data.people(concertation, "agents", ["Aline"])
    join(client, live_data.workshop(concertation, 1), agents[0])
    return client


def test_a_place_expires_after_twelve_hours_even_once_its_signature_was_checked(joined, monkeypatch):
    assert "L'atelier va commencer" in joined.get("/atelier/").content.decode().replace("&#x27;", "'")
    assert live_views._verified_place.cache_info().currsize >= 1
    later = time.time() + COOKIE_MAX_AGE + 60
    monkeypatch.setattr(live_views.time, "time", lambda: later)
    poll = joined.get("/atelier/etat/", headers={"HX-Request": "true"}).content.decode()
    assert "n'est plus reconnue" in poll.replace("&#x27;", "'")
    page = joined.get("/atelier/", follow=True).content.decode().replace("&#x27;", "'")
    assert "n'est pas reconnue" in page and "Code de l'atelier" in page


def test_a_forged_or_altered_place_is_refused(joined):
    token, stamp, signature = joined.cookies[COOKIE].value.split(":")
    altered = signature[:-1] + ("B" if signature.endswith("A") else "A")
    for forged in (f"{token}x:{stamp}:{signature}", f"{token}:{stamp}:{altered}", token, ""):
        joined.cookies[COOKIE] = forged
        page = joined.get("/atelier/", follow=True).content.decode().replace("&#x27;", "'")
        assert "L'atelier va commencer" not in page
