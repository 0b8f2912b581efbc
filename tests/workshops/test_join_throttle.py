"""Guessing a join code cannot open a workshop: wrong codes are counted per address."""

import pytest

from tests.workshops import live_data

pytestmark = [pytest.mark.django_db, pytest.mark.ratelimit]


def test_wrong_codes_are_braked_and_the_right_code_then_waits_too(client, concertation):
    live_data.people(concertation, "agents", ["Aline"])
    workshop = live_data.workshop(concertation, 1)
    assert "Aline" in client.get(f"/rejoindre/{workshop.join_code}/").content.decode()
    for attempt in range(31):
        response = client.post("/rejoindre/", {"code": f"ZZZ{attempt:03d}"})
        assert response.status_code == 400, attempt
    blocked = client.post("/rejoindre/", {"code": workshop.join_code})
    assert blocked.status_code == 429
    assert "Trop de codes erronés" in blocked.content.decode()
    # The QR target is braked too: no panel list is shown to a guesser.
    qr = client.get(f"/rejoindre/{workshop.join_code}/", follow=True)
    assert "Trop de codes erronés" in qr.content.decode()
    assert "Aline" not in qr.content.decode()


def test_a_room_joining_correctly_is_never_braked(client, concertation):
    live_data.people(concertation, "agents", ["Aline"])
    workshop = live_data.workshop(concertation, 1)
    for _ in range(60):
        assert client.post("/rejoindre/", {"code": workshop.join_code}).status_code == 302
    page = client.get(f"/rejoindre/{workshop.join_code}/")
    assert page.status_code == 200 and "Aline" in page.content.decode()
