"""Dot voting on a tablet, in Chromium: each tap redraws only its item and the points left, and
spending the last point (or taking one back) updates every other item too. By touch, then by
keyboard only."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.workshops import live_data
from workshops import services
from workshops.models import Activity, Vote

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def voting(concertation):
    people = live_data.mixed_people(concertation)
    workshop = live_data.workshop(concertation, 3)
    items = live_data.ballot(workshop)  # budget 5, at most 3 per item
    services.sequence_open(sequence=live_data.sequence(workshop, Activity.VOTE_QUALITIES))
    return workshop, people, items


def join(tablet, live_server, workshop, name: str):
    tablet.goto(f"{live_server.url}/rejoindre/{workshop.join_code}/")
    tablet.get_by_role("button", name=name, exact=True).click()
    expect(tablet.get_by_text("Il vous reste 5 points sur 5.")).to_be_visible()
    # htmx takes the forms over once the page has loaded; a key pressed earlier submits the plain
    # form (the vote counts, the page reloads and focus goes back to the top), as without JavaScript.
    tablet.wait_for_load_state("load")


def plus(tablet, text: str):
    return tablet.locator(".ballot-item", has_text=text).get_by_role("button", name="Ajouter un point")


def minus(tablet, text: str):
    return tablet.locator(".ballot-item", has_text=text).get_by_role("button", name="Retirer un point")


def test_tapping_redraws_one_item_until_the_last_point_then_all_of_them(live_server, new_context, voting):
    workshop, people, items = voting
    tablet = new_context(tablet=True).new_page()
    join(tablet, live_server, workshop, people[0].display_name)
    swaps = []
    tablet.on("response", lambda r: swaps.append(r.headers.get("hx-retarget")) if "/vote/" in r.url else None)

    for left in (4, 3, 2):
        plus(tablet, "Respect").tap()
        expect(tablet.get_by_text(f"Il vous reste {left} points sur 5.")).to_be_visible()
    expect(tablet.locator(".ballot-item", has_text="Respect")).to_contain_text("3 points")
    expect(plus(tablet, "Respect")).to_be_disabled()  # at most 3 on one item
    expect(plus(tablet, "Dialogue")).to_be_enabled()
    assert swaps == [None, None, None]  # only the row and the points left came back

    plus(tablet, "Dialogue").tap()
    expect(tablet.get_by_text("Il vous reste 1 point sur 5.")).to_be_visible()
    plus(tablet, "Écoute").tap()
    expect(tablet.get_by_text("Il vous reste 0 point sur 5.")).to_be_visible()
    for text in ("Respect", "Dialogue", "Écoute"):
        expect(plus(tablet, text)).to_be_disabled()  # the whole ballot was redrawn
    assert swaps[-1] == "#activity"

    minus(tablet, "Respect").tap()
    expect(tablet.get_by_text("Il vous reste 1 point sur 5.")).to_be_visible()
    expect(plus(tablet, "Dialogue")).to_be_enabled()
    assert_accessible(tablet)
    votes = dict(Vote.objects.values_list("ballot_item__text", "points"))
    assert votes == {"Respect": 2, "Dialogue": 1, "Écoute": 1}


def test_keyboard_voting_keeps_focus_on_the_button_pressed(live_server, new_context, voting):
    workshop, people, items = voting
    tablet = new_context().new_page()
    join(tablet, live_server, workshop, people[1].display_name)
    plus(tablet, "Dialogue").focus()
    for left in (4, 3):
        tablet.keyboard.press("Enter")
        expect(tablet.get_by_text(f"Il vous reste {left} points sur 5.")).to_be_visible()
        expect(plus(tablet, "Dialogue")).to_be_focused()
    tablet.keyboard.press("Shift+Tab")
    expect(minus(tablet, "Dialogue")).to_be_focused()
    tablet.keyboard.press("Enter")
    expect(tablet.get_by_text("Il vous reste 4 points sur 5.")).to_be_visible()
    expect(tablet.locator(".ballot-item", has_text="Dialogue")).to_contain_text("1 point")
    assert dict(Vote.objects.values_list("ballot_item__text", "points")) == {"Dialogue": 1}
