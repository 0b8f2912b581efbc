"""The facilitator ends a concertation in the browser: what is left to do, closing with the day
personal data will be erased, then reopening; keyboard only for the irreversible-looking step."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import formats, timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from workshops.management.commands.load_demo import DEMO_PASSWORD
from workshops.models import Concertation

pytestmark = pytest.mark.django_db(transaction=True)
HAUTEPIERRE = "Vivre ensemble à la Maison de Hautepierre"


def test_close_then_reopen_a_concertation(demo, page):
    login(page, demo, "animatrice", DEMO_PASSWORD)
    expect(page.get_by_text("Prochain atelier : Atelier 1 — panel agents")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=HAUTEPIERRE).click()
    steps = page.get_by_role("region", name="À faire maintenant")
    steps.get_by_role("link", name="Clôturer la démarche…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Clôturer « {HAUTEPIERRE} » ?")
    # The retention period in calendar days after today, as the privacy page announces it.
    days = settings.PERSONAL_DATA_RETENTION_DAYS
    purge_on = formats.date_format(timezone.localdate() + timedelta(days=days), "j F Y")
    expect(page.get_by_text(f"seront effacées à partir du {purge_on}")).to_be_visible()
    expect(page.get_by_text("sont encore à faire ou en cours")).to_be_visible()
    assert_accessible(page)

    button = page.get_by_role("button", name="Clôturer la démarche")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(HAUTEPIERRE)
    expect(page.locator(".messages")).to_contain_text(
        f"les données personnelles des participant·es seront effacées à partir du {purge_on}"
    )
    expect(page.locator('[aria-current="step"]')).to_contain_text("Clôturée")
    assert Concertation.objects.get(title=HAUTEPIERRE).status == Concertation.Status.CLOSED
    assert_accessible(page)

    steps.get_by_role("button", name="Rouvrir la démarche").click()
    expect(page.locator(".messages")).to_contain_text("La démarche est rouverte")
    expect(page.locator('[aria-current="step"]')).to_contain_text("Feuille de route en suivi")
    expect(steps.get_by_role("link", name="Clôturer la démarche…")).to_be_visible()
    assert Concertation.objects.get(title=HAUTEPIERRE).closed_at is None
