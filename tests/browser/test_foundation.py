"""A facilitator logs in on the demo data and finds the Hautepierre concertation."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from workshops.management.commands.load_demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)



def test_facilitator_logs_in_and_sees_the_demo_concertation(demo, page):
    page.goto(f"{demo.url}/")
    expect(page).to_have_url(f"{demo.url}/connexion/?next=/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert_accessible(page)

    login(page, demo, "animatrice", "mauvais mot de passe")
    expect(page.get_by_role("alert")).to_contain_text("Saisissez un nom d’utilisateur")
    expect(page.get_by_label("Identifiant")).to_have_value("animatrice")

    login(page, demo, "animatrice", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes démarches de concertation")
    expect(page.get_by_text("15 participant·es")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Vivre ensemble à la Maison de Hautepierre").click()
    expect(page.get_by_role("heading", name="Atelier 3 — panel mixte")).to_be_visible()
    expect(page.get_by_text("Médiathèque")).to_be_visible()
    expect(page.get_by_text("mardi 15 septembre 2026, 14h00")).to_be_visible()
    assert_accessible(page)


def test_keyboard_user_skips_to_content(demo, page):
    page.goto(f"{demo.url}/connexion/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_login_page_works_at_tablet_size(demo, new_context):
    tablet = new_context(tablet=True).new_page()
    login(tablet, demo, "responsable.mediatheque", DEMO_PASSWORD)
    expect(tablet.get_by_role("link", name="Vivre ensemble à la Maison de Hautepierre")).to_be_visible()
    assert_accessible(tablet)
