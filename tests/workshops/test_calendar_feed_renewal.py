"""A leaked calendar subscription address can be cut off by renewing it on the calendar page."""

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests import factories
from workshops.calendar import FEED_SALT, calendar_feed_renew, feed_token

pytestmark = pytest.mark.django_db

RENEW = reverse("workshops:calendar_feed_renew")


def _feed(client, token: str):
    return client.get(reverse("workshops:calendar_feed", args=[token]))


def _shown_address(client) -> str:
    """The path of the address the calendar page shows in « Adresse d'abonnement »."""
    html = client.get(reverse("workshops:calendar")).content.decode()
    value = html.split('id="feed-url" readonly value="', 1)[1].split('"', 1)[0]
    return value.removeprefix("http://testserver")


def test_renewing_shows_a_new_address_and_the_old_one_stops_working(client, facilitator, concertation):
    workshop = concertation.workshops.get(order=1)
    workshop.starts_at = timezone.now() + timedelta(days=3)
    workshop.save()
    client.force_login(facilitator)
    old = _shown_address(client)
    assert client.get(old).status_code == 200

    response = client.post(RENEW, follow=True)

    assert response.redirect_chain == [(reverse("workshops:calendar"), 302)]
    html = response.content.decode()
    assert "Nouvelle adresse d&#x27;abonnement créée. L&#x27;ancienne ne fonctionne plus" in html
    new = _shown_address(client)
    assert new != old
    client.logout()
    assert client.get(old).status_code == 404
    feed = client.get(new)
    assert feed.status_code == 200 and len(Calendar.from_ical(feed.content).walk("VEVENT")) == 1


def test_every_renewal_revokes_the_previous_address(client, facilitator):
    first = calendar_feed_renew(user=facilitator)
    second = calendar_feed_renew(user=facilitator)
    assert _feed(client, first).status_code == 404
    assert _feed(client, second).status_code == 200
    assert feed_token(facilitator) == second


def test_an_address_from_before_renewal_existed_keeps_working_until_renewed(client, facilitator):
    """Addresses already in people's calendars were the signed pk alone: still valid on deploy."""
    legacy = signing.Signer(salt=FEED_SALT).sign(str(facilitator.pk))
    assert _feed(client, legacy).status_code == 200
    calendar_feed_renew(user=facilitator)
    assert _feed(client, legacy).status_code == 404


def test_another_users_renewal_does_not_affect_mine(client, facilitator, other_facilitator):
    mine = feed_token(facilitator)
    client.force_login(other_facilitator)
    client.post(RENEW)
    client.logout()
    assert _feed(client, mine).status_code == 200
    assert feed_token(facilitator) == mine


def test_anonymous_post_goes_to_login_and_changes_nothing(client, facilitator):
    before = feed_token(facilitator)
    response = client.post(RENEW)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert feed_token(facilitator) == before and _feed(client, before).status_code == 200


def test_renewal_is_post_only(client, facilitator):
    before = feed_token(facilitator)
    client.force_login(facilitator)
    assert client.get(RENEW).status_code == 405
    assert feed_token(facilitator) == before


def test_renewal_needs_the_csrf_token(facilitator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(facilitator)
    before = feed_token(facilitator)
    assert client.post(RENEW).status_code == 403
    assert feed_token(facilitator) == before


def test_a_forged_token_is_not_found(client, facilitator):
    renewed = calendar_feed_renew(user=facilitator)
    pk, generation, signature = renewed.split(":")
    assert _feed(client, f"{pk}:{int(generation) + 1}:{signature}").status_code == 404
    assert _feed(client, f"{pk}:{signature}").status_code == 404
    assert _feed(client, "n'importe-quoi").status_code == 404


def test_an_inactive_users_address_is_not_found(client, facilitator):
    renewed = calendar_feed_renew(user=facilitator)
    facilitator.is_active = False
    facilitator.save()
    assert _feed(client, renewed).status_code == 404


@pytest.mark.parametrize("size", [1, 6])
def test_feed_query_count_does_not_grow(client, django_assert_num_queries, facilitator, size):
    """One query for the user and their key generation, one for the workshops."""
    for _ in range(size):
        concertation = factories.territorial_concertation(facilitators=[facilitator])
        for workshop in concertation.workshops.order_by("order"):
            workshop.starts_at = timezone.now() + timedelta(days=5 + workshop.order)
            workshop.save()
    token = calendar_feed_renew(user=facilitator)
    with django_assert_num_queries(2):
        response = _feed(client, token)
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 3 * size
