"""An id in a URL that no database row can have (beyond 64 bits) is a page not found, on every
URL that names a row, for anyone: never a database error."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests import factories

pytestmark = pytest.mark.django_db

HUGE = "9" * 25


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def urls_with_a_huge_id() -> list[str]:
    """Each URL pattern that names a row, with every id (and every other part) filled in."""
    found = []
    for route in _patterns(get_resolver().url_patterns):
        if "<id:" not in route and "[0-9]{1,18}" not in route:
            continue
        url = re.sub(r"<id:\w+>", HUGE, route)
        url = re.sub(r"\(\?P<\w+>\[0-9\]\{1,18\}\)", HUGE, url)
        url = re.sub(r"\(\?P<\w+>([a-z0-9]+)\|[^)]*\)", r"\1", url)  # a choice: its first option
        url = re.sub(r"<(?:slug|str):\w+>", "qualite", url)
        found.append("/" + url.replace("^", "").replace("$", "").replace("\\.", "."))
    return found


def test_the_patterns_are_found():
    urls = urls_with_a_huge_id()
    assert len(urls) >= 60
    assert f"/atelier/sequences/{HUGE}/vote/" in urls
    assert f"/affiches/demarches/{HUGE}/feuilles-de-route/{HUGE}/export.pdf" in urls


def test_no_route_takes_an_unbounded_number():
    """A new ``<int:…>`` or ``[0-9]+`` would bring the database error back."""
    unbounded = [
        route for route in _patterns(get_resolver().url_patterns)
        if not route.startswith("admin/") and ("<int:" in route or "[0-9]+" in route)
    ]
    assert unbounded == []


def test_a_huge_id_is_not_found_even_for_an_administrator(client, concertation):
    factories.UserFactory(username="admin.test", is_superuser=True, is_staff=True)
    client.login(username="admin.test", password="mot-de-passe-test")
    for url in urls_with_a_huge_id():
        for method in (client.get, client.post):
            assert method(url).status_code == 404, url
