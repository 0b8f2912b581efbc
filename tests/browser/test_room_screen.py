"""The room's computer shows the projection by its own address, nobody logged in on it; the
facilitator finds the address in the console and can change it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.workshops import live_data
from workshops import services
from workshops.models import Activity, Workshop

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "mot-de-passe-test"


def test_the_room_screen_follows_the_workshop_without_a_login_and_its_address_can_change(
    live_server, new_context, facilitator, concertation
):
    people = live_data.people(concertation, "agents", ["Aline", "Bruno"])
    workshop = live_data.workshop(concertation, 1)
    sequence = services.sequence_open(sequence=live_data.sequence(workshop, Activity.QUALITIES))
    place = services.attendance_join(workshop=workshop, participant=people[0])

    console = new_context().new_page()
    login(console, live_server, facilitator.username, PASSWORD)
    console.goto(f"{live_server.url}/ateliers/{workshop.pk}/console/")
    address = console.locator("a.screen-url").get_attribute("href")
    assert address.endswith(f"/projection/{workshop.screen_token}/")

    screen = new_context(viewport={"width": 1600, "height": 900}).new_page()  # never logged in
    screen.goto(address)
    expect(screen.locator("[data-join-code]")).to_have_text(workshop.join_code)
    assert_accessible(screen)
    services.quality_add(attendance=place, sequence=sequence, text="bienveillance", key="k1")
    expect(screen.locator("svg text", has_text="bienveillance")).to_be_visible(timeout=6_000)

    # The facilitator changes the address, from the keyboard: the old one stops.
    renew = console.get_by_role("button", name=re.compile("Changer d'adresse"))
    renew.focus()
    console.keyboard.press("Enter")
    expect(console.get_by_text("La projection a une nouvelle adresse")).to_be_visible()
    assert_accessible(console)
    new_address = console.locator("a.screen-url").get_attribute("href")
    assert new_address != address
    assert new_address.endswith(f"/projection/{Workshop.objects.get(pk=workshop.pk).screen_token}/")
    assert screen.request.get(address).status == 404
    screen.goto(new_address)
    expect(screen.locator("svg text", has_text="bienveillance")).to_be_visible()
