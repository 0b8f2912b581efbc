"""The facilitator's console and the projector, polled every 2 s: a change they do not show (a
vote during a hidden vote, an arrival during the word cloud) answers 304 without a redraw, and
a change they show redraws them, in a constant number of queries."""

import re

import pytest

from tests.workshops import live_data
from workshops import services
from workshops.models import Activity, Pole

pytestmark = pytest.mark.django_db


def etag_of(response) -> str:
    return response["ETag"]


def count_on(page: str, name: str) -> int:
    return int(re.search(rf'data-count="{name}">(\d+)<', page).group(1))


@pytest.fixture
def vote_room(concertation, request):
    """A mixed workshop voting on its qualities; everyone but the last two has voted once."""
    size = getattr(request, "param", 4)
    people = live_data.mixed_people(
        concertation, agents=[f"A{n}" for n in range(size)], users=[f"U{n}" for n in range(size)]
    )
    workshop = live_data.workshop(concertation, 3)
    items = live_data.ballot(workshop, texts=[f"Qualité {n}" for n in range(size)])
    sequence = services.sequence_open(sequence=live_data.sequence(workshop, Activity.VOTE_QUALITIES))
    places = [services.attendance_join(workshop=workshop, participant=p) for p in people]
    for place in places[:-2]:
        services.vote_cast(place=place.token, item_id=items[0].pk, points=1, key=f"first-{place.pk}")
    return workshop, sequence, items, places


@pytest.mark.parametrize("vote_room", [3, 25], indirect=True)
def test_console_is_not_redrawn_for_a_vote_that_changes_none_of_its_figures(
    client, facilitator, vote_room, django_assert_num_queries
):
    workshop, _sequence, items, places = vote_room
    client.force_login(facilitator)
    live = f"/ateliers/{workshop.pk}/console/direct/"
    response = client.get(live)
    voters = count_on(response.content.decode(), "voters")
    assert voters == len(places) - 2
    etag = etag_of(response)

    # Someone who had already voted moves a point: « N ont voté » does not change.
    services.vote_cast(place=places[0].token, item_id=items[1].pk, points=1, key="again")
    # 1. session, 2. user, 3. the workshop the user leads, 4. every live figure in one statement
    with django_assert_num_queries(4):
        response = client.get(live, headers={"If-None-Match": etag})
    assert response.status_code == 304

    # A first vote from someone else: the figure changes, so the area is drawn again.
    services.vote_cast(place=places[-1].token, item_id=items[0].pk, points=1, key="newcomer")
    with django_assert_num_queries(4):
        response = client.get(live, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert count_on(response.content.decode(), "voters") == voters + 1
    # Nothing changed since: the workshop's versions alone answer.
    with django_assert_num_queries(3):
        assert client.get(live, headers={"If-None-Match": etag_of(response)}).status_code == 304


def test_console_shows_a_walk_in_waiting_and_new_contributions_to_moderate(
    client, concertation, facilitator, django_assert_num_queries
):
    people = live_data.people(concertation, "agents", ["Aline", "Bruno"])
    workshop = live_data.workshop(concertation, 1)
    sequence = services.sequence_open(sequence=live_data.sequence(workshop, Activity.QUALITIES))
    place = services.attendance_join(workshop=workshop, participant=people[0])
    client.force_login(facilitator)
    live = f"/ateliers/{workshop.pk}/console/direct/?shown=0"
    etag = etag_of(client.get(live))

    services.attendance_join(workshop=workshop, walk_in_name="Gaëlle")
    # + 5. the people waiting to be admitted (read only while someone waits)
    with django_assert_num_queries(5):
        response = client.get(live, headers={"If-None-Match": etag})
    assert response.status_code == 200 and "Gaëlle" in response.content.decode()

    services.quality_add(attendance=place, sequence=sequence, text="écoute", key="k1")
    response = client.get(live, headers={"If-None-Match": etag_of(response)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 contribution dans la séquence en cours." in page
    assert count_on(page, "contributors") == 1


@pytest.mark.parametrize("vote_room", [3, 25], indirect=True)
def test_projector_redraws_a_hidden_vote_only_when_one_more_person_has_voted(
    client, facilitator, vote_room, django_assert_num_queries
):
    workshop, sequence, items, places = vote_room
    client.force_login(facilitator)
    board = f"/ateliers/{workshop.pk}/projection/tableau/"
    response = client.get(board)
    assert f"{len(places) - 2} personnes ont voté." in response.content.decode()
    etag = etag_of(response)

    services.vote_cast(place=places[0].token, item_id=items[1].pk, points=1, key="again")
    # 1. session, 2. user, 3. the workshop, 4. its current sequence and how many people voted
    with django_assert_num_queries(4):
        assert client.get(board, headers={"If-None-Match": etag}).status_code == 304

    services.vote_cast(place=places[-1].token, item_id=items[0].pk, points=1, key="newcomer")
    with django_assert_num_queries(4):
        response = client.get(board, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert f"{len(places) - 1} personnes ont voté." in response.content.decode()

    # Revealed results: every vote moves a total, so every vote redraws the board.
    services.results_reveal(sequence=sequence, revealed=True)
    etag = etag_of(client.get(board))
    services.vote_cast(place=places[1].token, item_id=items[1].pk, points=2, key="more")
    # + 5. points per item and origin, 6. voters per origin (the total is their sum)
    with django_assert_num_queries(6):
        response = client.get(board, headers={"If-None-Match": etag})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"({len(places) - 1} votant·es)" in page
    assert "Qualité 1 : 3 points" in page


def test_projector_word_cloud_ignores_arrivals_and_follows_new_words(client, concertation, facilitator):
    people = live_data.people(concertation, "agents", ["Aline", "Bruno", "Chloé"])
    workshop = live_data.workshop(concertation, 1)
    sequence = services.sequence_open(sequence=live_data.sequence(workshop, Activity.QUALITIES))
    place = services.attendance_join(workshop=workshop, participant=people[0])
    services.quality_add(attendance=place, sequence=sequence, text="écoute", key="k1")
    client.force_login(facilitator)
    board = f"/ateliers/{workshop.pk}/projection/tableau/"
    etag = etag_of(client.get(board))

    services.attendance_join(workshop=workshop, participant=people[1])
    assert client.get(board, headers={"If-None-Match": etag}).status_code == 304

    services.quality_add(attendance=place, sequence=sequence, text="Écoute", key="k2")
    response = client.get(board, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "écoute (2 fois)" in response.content.decode()

    # The facilitator moves to the chaotic pole: the same words, another screen.
    services.sequence_pole_set(sequence=sequence, pole=Pole.CHAOTIC)
    response = client.get(board, headers={"If-None-Match": etag_of(response)})
    assert response.status_code == 200
    assert 'class="cloud cloud-chaotic is-current"' in response.content.decode()


def test_projector_invites_to_join_in_one_sentence(client, concertation, facilitator):
    workshop = live_data.workshop(concertation, 1)
    client.force_login(facilitator)
    page = client.get(f"/ateliers/{workshop.pk}/projection/").content.decode()
    assert (
        "Pour participer, allez sur <strong>http://testserver/rejoindre/</strong> et tapez le code "
        f"<strong>{workshop.join_code}</strong>."
    ) in page


def test_a_chart_drawn_in_french_is_not_served_to_an_english_projector(client, concertation, facilitator):
    people = live_data.people(concertation, "agents", ["Aline", "Bruno"])
    workshop = live_data.workshop(concertation, 1)
    sequence = services.sequence_open(sequence=live_data.sequence(workshop, Activity.QUALITIES))
    for index, person in enumerate(people):
        place = services.attendance_join(workshop=workshop, participant=person)
        services.quality_add(attendance=place, sequence=sequence, text="écoute", key=f"k{index}")
    client.force_login(facilitator)
    board = f"/ateliers/{workshop.pk}/projection/tableau/"
    assert "écoute (2 fois)" in client.get(board).content.decode()
    client.cookies["django_language"] = "en"
    assert "écoute (2 times)" in client.get(board).content.decode()
