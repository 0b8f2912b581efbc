"""The room's projection by its own address: the room's computer shows the join code and the
live board without anyone logging in on it; the team can change the address, and the old one
stops at once."""

import html

import pytest

from tests import factories
from tests.workshops import live_data
from workshops import services
from workshops.models import Activity, Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(concertation):
    people = live_data.people(concertation, "agents", ["Aline Martin", "Bruno Keller"])
    workshop = live_data.workshop(concertation, 1)
    sequence = services.sequence_open(sequence=live_data.sequence(workshop, Activity.QUALITIES))
    place = services.attendance_join(workshop=workshop, participant=people[0])
    services.quality_add(attendance=place, sequence=sequence, text="écoute", key="k1")
    return workshop, sequence, place


def test_the_console_gives_the_address_and_it_opens_without_logging_in(client, room, facilitator):
    workshop, _sequence, _place = room
    client.force_login(facilitator)
    console = client.get(f"/ateliers/{workshop.pk}/console/").content.decode()
    address = f"http://testserver/projection/{workshop.screen_token}/"
    assert f'href="{address}"' in console
    client.logout()
    response = client.get(address)
    page = response.content.decode()
    assert response.status_code == 200 and response["X-Robots-Tag"] == "noindex"
    assert workshop.join_code in page and "écoute" in page
    assert f'hx-get="/projection/{workshop.screen_token}/tableau/"' in page
    assert "Aline" not in page  # the room sees the words, never who wrote them


def test_the_board_behind_the_address_follows_the_room_and_answers_304_in_between(
    client, room, django_assert_num_queries
):
    workshop, sequence, place = room
    board = f"/projection/{workshop.screen_token}/tableau/"
    response = client.get(board)
    assert response.status_code == 200 and response["ETag"]
    # 1. the workshop by its address (its versions say nothing changed)
    with django_assert_num_queries(1):
        assert client.get(board, headers={"If-None-Match": response["ETag"]}).status_code == 304
    services.quality_add(attendance=place, sequence=sequence, text="Écoute", key="k2")
    changed = client.get(board, headers={"If-None-Match": response["ETag"]})
    assert changed.status_code == 200 and "écoute (2 fois)" in changed.content.decode()


def test_changing_the_address_stops_the_old_one_at_once(client, room, facilitator):
    workshop, _sequence, _place = room
    old = workshop.screen_token
    client.force_login(facilitator)
    response = client.post(f"/ateliers/{workshop.pk}/projection/nouvelle-adresse/", follow=True)
    page = html.unescape(response.content.decode())
    assert "La projection a une nouvelle adresse : l'ancienne ne fonctionne plus." in page
    workshop.refresh_from_db()
    assert workshop.screen_token != old and len(workshop.screen_token) >= 32
    client.logout()
    assert client.get(f"/projection/{old}/").status_code == 404
    assert client.get(f"/projection/{old}/tableau/").status_code == 404
    assert client.get(f"/projection/{workshop.screen_token}/").status_code == 200


def test_only_the_team_changes_the_address_and_a_made_up_one_finds_nothing(client, room):
    workshop, _sequence, _place = room
    old = workshop.screen_token
    client.force_login(factories.facilitator(username="hors.equipe"))
    assert client.post(f"/ateliers/{workshop.pk}/projection/nouvelle-adresse/").status_code == 404
    workshop.refresh_from_db()
    assert workshop.screen_token == old
    client.logout()
    assert client.get("/projection/devine/").status_code == 404
    assert client.get(f"/projection/{old[:-1]}/").status_code == 404
    assert client.post(f"/projection/{old}/").status_code == 405


@pytest.mark.parametrize("size", [2, 30])
def test_the_address_costs_the_same_queries_whatever_the_room(
    client, concertation, django_assert_num_queries, size
):
    people = live_data.people(concertation, "agents", [f"Agent {n}" for n in range(size)])
    workshop = live_data.workshop(concertation, 1)
    sequence = services.sequence_open(sequence=live_data.sequence(workshop, Activity.QUALITIES))
    for n, person in enumerate(people):
        place = services.attendance_join(workshop=workshop, participant=person)
        services.quality_add(attendance=place, sequence=sequence, text=f"mot {n}", key=f"k{n}")
    board = f"/projection/{workshop.screen_token}/tableau/"
    client.get(board)  # the charts of this room, drawn once per process
    # 1. the workshop by its address, 2. its current sequence, 3. the words of the sequence
    with django_assert_num_queries(3):
        response = client.get(board)
    assert response.status_code == 200 and f"mot {size - 1}" in response.content.decode()


def test_a_message_is_shown_once_and_a_poll_leaves_the_messages_alone(client, room, facilitator):
    """A message survives its redirect, shows once, and a refresh in between does not take it."""
    workshop, _sequence, _place = room
    client.force_login(facilitator)
    renewed = client.post(f"/ateliers/{workshop.pk}/projection/nouvelle-adresse/")
    board = f"/ateliers/{workshop.pk}/console/"
    poll = client.get(f"/projection/{Workshop.objects.get(pk=workshop.pk).screen_token}/tableau/")
    assert renewed.status_code == 302 and poll.status_code == 200 and "messages" not in poll.cookies
    shown = html.unescape(client.get(board).content.decode())
    assert shown.count("La projection a une nouvelle adresse") == 1
    assert "La projection a une nouvelle adresse" not in client.get(board).content.decode()
