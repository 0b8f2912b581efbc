"""The facilitator's pages: French, and a fixed number of queries whatever the data size."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def add_participants(concertation, count: int) -> None:
    for kind in ("agents", "users"):
        factories.ParticipantFactory.create_batch(
            count, home_panel=factories.panel(concertation, kind)
        )


@pytest.mark.parametrize("size", [1, 12])
def test_home_query_count_does_not_grow(client, facilitator, django_assert_num_queries, size):
    for i in range(size):
        concertation = factories.territorial_concertation(
            facilitators=[facilitator], title=f"Démarche {i}"
        )
        add_participants(concertation, 3)
    client.force_login(facilitator)
    # session, user, user and group permissions (nav, « Nouvelle démarche »), concertations with
    # counts, their services (prefetch)
    with django_assert_num_queries(6):
        response = client.get(reverse("workshops:home"))
    assert response.content.decode().count("6 participant·es") == size


@pytest.mark.parametrize("size", [2, 30])
def test_concertation_page_query_count_does_not_grow(
    client, facilitator, concertation, django_assert_num_queries, size
):
    add_participants(concertation, size)
    client.force_login(facilitator)
    url = reverse("workshops:concertation", args=[concertation.pk])
    # session, user, user and group permissions (nav), concertation, can_lead check, panels with
    # counts, mixed panel count, workshops with minutes, sequences, services
    with django_assert_num_queries(11):
        response = client.get(url)
    assert f"{size} participant·es dans le panel" in response.content.decode()


def test_pages_are_french_by_default_even_for_an_english_browser(client, facilitator):
    client.force_login(facilitator)
    response = client.get(reverse("workshops:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Mes démarches de concertation" in html


def test_english_is_available_on_request(client, facilitator):
    client.force_login(facilitator)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("workshops:home")).content.decode()
    assert '<html lang="en">' in html
