"""Playwright (Python) driving Debian's Chromium against pytest-django's live server."""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the
# tests themselves (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True, "is_mobile": True}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser):
    """Open browser contexts (French, desktop or tablet) closed at the end of the test."""
    contexts = []

    def make(*, tablet: bool = False, **options):
        settings = {"locale": "fr-FR", "timezone_id": "Europe/Paris"}
        if tablet:
            settings |= TABLET
        context = browser.new_context(**settings | options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


_axe = Axe()


def assert_accessible(page) -> None:
    """axe-core (WCAG 2.0/2.1 A and AA rules) reports no violation on the current page."""
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}},
    )
    assert results.violations_count == 0, results.generate_report()


def login(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


@pytest.fixture
def demo(live_server, settings, tmp_path):
    """The live server with the demo data (``manage.py load_demo``), its files in the test's folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", verbosity=0)
    return live_server
