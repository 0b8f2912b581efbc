"""A facilitator whose calendar subscription address leaked renews it, with the mouse then the keyboard."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from workshops.management.commands.load_demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

SUCCESS = "Nouvelle adresse d'abonnement créée. L'ancienne ne fonctionne plus"


def test_renew_the_subscription_address(demo, page):
    login(page, demo, "animatrice", DEMO_PASSWORD)
    page.goto(f"{demo.url}/calendrier/")
    address = page.get_by_label("Adresse d'abonnement")
    button = page.get_by_role("button", name="Renouveler l'adresse")
    expect(button).to_have_accessible_description(re.compile("l'ancienne cesse aussitôt de fonctionner"))
    first = address.input_value()
    assert page.request.get(first).status == 200

    button.click()
    expect(page.get_by_role("status")).to_contain_text(SUCCESS)
    second = address.input_value()
    assert second != first
    assert page.request.get(first).status == 404
    feed = page.request.get(second)
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert_accessible(page)

    # Keyboard: the button comes right after the address, and Enter renews again.
    address.focus()
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(address).not_to_have_value(second)
    expect(page.get_by_role("status")).to_contain_text(SUCCESS)
    third = address.input_value()
    assert page.request.get(second).status == 404
    assert page.request.get(third).status == 200
