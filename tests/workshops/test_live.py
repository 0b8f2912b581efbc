"""The live session seen from a tablet, the console and the projector (Django test client)."""

import re
import time

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client

from posters.models import Poster, PosterValidation, PosterVersion
from tests.workshops import live_data
from workshops import room_state, services
from workshops.live_views import COOKIE
from workshops.models import (
    Activity,
    Attendance,
    BallotItem,
    Carrier,
    Pole,
    Position,
    Proposal,
    Quality,
    Sequence,
    Vote,
    Workshop,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agents(concertation):
    return live_data.people(concertation, "agents", ["Aline", "Bruno", "Chloé", "David"])


@pytest.fixture
def agents_workshop(concertation, agents):
    return live_data.workshop(concertation, 1)


def join(client, workshop, participant):
    response = client.post(f"/rejoindre/{workshop.join_code}/", {"participant": participant.pk})
    assert response.status_code == 302
    return Attendance.objects.get(workshop=workshop, participant=participant)


def open_(workshop, activity):
    return services.sequence_open(sequence=live_data.sequence(workshop, activity))


# --- Joining ------------------------------------------------------------------------------------


def test_code_is_case_and_space_tolerant_and_a_wrong_code_says_so_in_french(client, agents_workshop):
    code = agents_workshop.join_code
    response = client.post("/rejoindre/", {"code": f" {code[:3].lower()} {code[3:].lower()} "})
    assert response.status_code == 302
    assert response.url == f"/rejoindre/{code}/"

    response = client.post("/rejoindre/", {"code": "ZZZ999"})
    assert response.status_code == 400
    assert "ne correspond à aucun atelier en cours" in response.content.decode()


def test_participant_picks_their_name_and_the_device_keeps_its_place(client, agents_workshop, agents):
    page = client.get(f"/rejoindre/{agents_workshop.join_code}/").content.decode()
    assert all(a.display_name in page for a in agents)
    attendance = join(client, agents_workshop, agents[0])
    assert COOKIE in client.cookies
    page = client.get("/atelier/").content.decode()
    assert "L'atelier va commencer" in page.replace("&#x27;", "'")
    # Rejoining (another device, or after « participant suivant ») gives back the same place.
    assert join(client, agents_workshop, agents[0]).pk == attendance.pk


def test_someone_not_on_the_list_waits_until_the_facilitator_admits_them(
    client, agents_workshop, facilitator
):
    response = client.post(f"/rejoindre/{agents_workshop.join_code}/", {"first_name": "Gaëlle"})
    assert response.status_code == 302
    assert "valider votre arrivée" in client.get("/atelier/").content.decode()
    attendance = Attendance.objects.get(walk_in_name="Gaëlle")

    facilitator_client = type(client)()
    facilitator_client.force_login(facilitator)
    assert "Gaëlle" in facilitator_client.get(f"/ateliers/{agents_workshop.pk}/console/").content.decode()
    facilitator_client.post(
        f"/ateliers/{agents_workshop.pk}/console/arrivees/{attendance.pk}/", {"decision": "admit"}
    )
    attendance.refresh_from_db()
    assert attendance.participant.display_name == "Gaëlle"
    assert attendance.participant.home_panel_id == agents_workshop.panel_id
    assert "L'atelier va commencer" in client.get("/atelier/").content.decode().replace("&#x27;", "'")


def test_shared_tablet_next_participant_resets_the_device_but_keeps_answers(client, agents_workshop, agents):
    client.post(f"/rejoindre/{agents_workshop.join_code}/", {"participant": agents[0].pk, "shared": "on"})
    sequence = open_(agents_workshop, Activity.QUALITIES)
    client.post(f"/atelier/sequences/{sequence.pk}/qualites/", {"text": "respect", "key": "k-shared"})
    assert "Participant suivant" in client.get("/atelier/").content.decode()
    response = client.post("/atelier/suivant/")
    assert response.url == f"/rejoindre/{agents_workshop.join_code}/"
    assert client.get("/atelier/").status_code == 302
    assert Quality.objects.get().participant == agents[0]


# --- Submissions and their integrity ---------------------------------------------------------------


def test_quality_double_tap_counts_once_and_own_words_can_be_fixed(client, agents_workshop, agents):
    join(client, agents_workshop, agents[0])
    sequence = open_(agents_workshop, Activity.QUALITIES)
    url = f"/atelier/sequences/{sequence.pk}/qualites/"
    client.post(url, {"text": "  respect  ", "key": "same-key"})
    client.post(url, {"text": "respect", "key": "same-key"})
    quality = Quality.objects.get()
    assert (quality.text, quality.pole) == ("respect", Pole.IDEAL)

    client.post(f"/atelier/qualite/{quality.pk}/modifier/", {"text": "le respect", "key": "fix-1"})
    quality.refresh_from_db()
    assert quality.text == "le respect"

    services.sequence_pole_set(sequence=sequence, pole=Pole.CHAOTIC)
    client.post(url, {"text": "mépris", "key": "k2"})
    assert Quality.objects.get(text="mépris").pole == Pole.CHAOTIC


def test_nothing_goes_to_a_closed_sequence_and_the_typed_text_stays(client, agents_workshop, agents):
    join(client, agents_workshop, agents[0])
    sequence = open_(agents_workshop, Activity.PROPOSALS)
    url = f"/atelier/sequences/{sequence.pk}/propositions/"
    client.post(url, {"text": "Un accueil sans rendez-vous", "carried_by": "agents", "key": "p1"})
    services.sequence_close(sequence=sequence)
    response = client.post(url, {"text": "Des horaires plus larges", "carried_by": "both", "key": "p2"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "Cette séquence est close" in page
    assert "Des horaires plus larges" in page
    assert list(Proposal.objects.values_list("text", flat=True)) == ["Un accueil sans rendez-vous"]


def test_another_workshops_sequence_and_a_forged_token_are_refused(
    client, concertation, agents_workshop, agents
):
    join(client, agents_workshop, agents[0])
    open_(agents_workshop, Activity.QUALITIES)
    users_workshop = live_data.workshop(concertation, 2)
    other = open_(users_workshop, Activity.QUALITIES)
    response = client.post(f"/atelier/sequences/{other.pk}/qualites/", {"text": "intrus", "key": "x1"})
    assert response.status_code == 409
    assert "n'appartient pas à votre atelier" in response.content.decode().replace("&#x27;", "'")

    client.cookies[COOKIE] = "forged-token"
    response = client.post(f"/atelier/sequences/{other.pk}/qualites/", {"text": "intrus", "key": "x2"})
    assert response.status_code == 302
    assert not Quality.objects.exists()
    response = client.get(response.url)
    assert "pas reconnue" in response.content.decode()


def test_position_is_a_0_to_10_scale_and_a_late_retry_does_not_undo_a_newer_choice(
    client, agents_workshop, agents
):
    join(client, agents_workshop, agents[0])
    sequence = open_(agents_workshop, Activity.POSITIONING)
    page = client.get("/atelier/").content.decode()
    assert page.count('type="radio" name="value"') == 11
    url = f"/atelier/sequences/{sequence.pk}/position/"
    client.post(url, {"value": "4", "key": "first"})
    client.post(url, {"value": "7", "key": "second"})
    client.post(url, {"value": "4", "key": "first"})  # retried after lost Wi-Fi
    assert Position.objects.get().value == 7
    assert client.post(url, {"value": "11", "key": "third"}).status_code == 422


@pytest.fixture
def mixed(concertation):
    people = live_data.mixed_people(concertation)
    workshop = live_data.workshop(concertation, 3)
    items = live_data.ballot(workshop)
    return workshop, people, items


def test_vote_budget_max_per_item_and_change_of_mind(client, mixed):
    workshop, people, items = mixed
    join(client, workshop, people[0])
    sequence = open_(workshop, Activity.VOTE_QUALITIES)
    url = f"/atelier/sequences/{sequence.pk}/vote/"
    assert "Il vous reste 5 points" in client.get("/atelier/").content.decode()
    client.post(url, {"item": items[0].pk, "points": 3, "key": "a"})
    response = client.post(url, {"item": items[0].pk, "points": 4, "key": "b"})
    assert "Au plus 3 points par élément" in response.content.decode()
    client.post(url, {"item": items[1].pk, "points": 2, "key": "c"})
    response = client.post(url, {"item": items[2].pk, "points": 1, "key": "d"})
    assert "déjà réparti tous vos points" in response.content.decode()
    client.post(url, {"item": items[0].pk, "points": 2, "key": "e"})  # change of mind
    client.post(url, {"item": items[2].pk, "points": 1, "key": "f"})
    assert dict(Vote.objects.values_list("ballot_item_id", "points")) == {
        items[0].pk: 2,
        items[1].pk: 2,
        items[2].pk: 1,
    }
    services.sequence_close(sequence=sequence)
    response = client.post(url, {"item": items[2].pk, "points": 0, "key": "g"})
    assert "close" in response.content.decode()
    assert Vote.objects.filter(ballot_item=items[2]).exists()


@pytest.mark.parametrize("item", [2**63, 2**70, -(2**63) - 1, 0, -1])
def test_a_vote_for_an_item_id_beyond_any_row_is_refused_in_french(client, mixed, item):
    """Such a number once reached the vote's precompiled SQL: a 500 on SQLite (OverflowError)."""
    workshop, people, items = mixed
    join(client, workshop, people[0])
    sequence = open_(workshop, Activity.VOTE_QUALITIES)
    client.post(f"/atelier/sequences/{sequence.pk}/vote/", {"item": items[0].pk, "points": 1, "key": "a"})
    response = client.post(
        f"/atelier/sequences/{sequence.pk}/vote/", {"item": str(item), "points": 1, "key": "b"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "ne fait pas partie de ce vote" in response.content.decode()
    assert dict(Vote.objects.values_list("ballot_item_id", "points")) == {items[0].pk: 1}


def test_results_by_panel_of_origin_hide_groups_smaller_than_three(client, concertation, facilitator):
    workshop = live_data.workshop(concertation, 3)
    agents = live_data.mixed_people(concertation, agents=("A1", "A2", "A3"), users=("U1", "U2"))
    items = live_data.ballot(workshop)
    sequence = open_(workshop, Activity.VOTE_QUALITIES)
    for index, participant in enumerate(agents):
        attendance = services.attendance_join(workshop=workshop, participant=participant)
        services.vote_cast(place=attendance.token, item_id=items[index % 2].pk, points=2, key=f"v{index}")
    client.force_login(facilitator)
    board = client.get(f"/ateliers/{workshop.pk}/projection/").content.decode()
    assert "5 personnes ont voté" in board
    assert "Résultats du vote" not in board
    services.results_reveal(sequence=sequence)
    board = client.get(f"/ateliers/{workshop.pk}/projection/").content.decode()
    assert "Résultats du vote" in board
    assert board.count("non détaillé") == 3  # the users column (2 voters) is hidden for each item


def test_poster_validation_without_and_with_a_draft(client, concertation, mixed):
    workshop, people, _items = mixed
    join(client, workshop, people[0])
    sequence = open_(workshop, Activity.POSTER_VALIDATION)
    assert "pas encore prête" in client.get("/atelier/").content.decode()
    version = PosterVersion.objects.create(
        poster=Poster.objects.create(concertation=concertation), number=1, heading="Notre affiche"
    )
    version.qualities.create(text="Respect")
    version.commitments.create(party="agents", text="Les agents s'engagent à sourire")
    page = client.get("/atelier/").content.decode()
    assert "Notre affiche" in page and "sourire" in page
    client.post(
        f"/atelier/sequences/{sequence.pk}/affiche/", {"approves": "no", "remark": "Trop long", "key": "p"}
    )
    validation = PosterValidation.objects.get()
    assert (validation.approves, validation.remark, validation.participant) == (False, "Trop long", people[0])


# --- Facilitator ---------------------------------------------------------------------------------


def test_console_runs_sequences_with_a_server_side_timer_and_only_for_the_team(
    client, agents_workshop, facilitator, other_facilitator
):
    client.force_login(other_facilitator)
    assert client.get(f"/ateliers/{agents_workshop.pk}/console/").status_code == 404
    assert client.get(f"/ateliers/{agents_workshop.pk}/projection/").status_code == 404
    client.force_login(facilitator)
    sequence = live_data.sequence(agents_workshop, Activity.QUALITIES)
    url = f"/ateliers/{agents_workshop.pk}/console/sequences/{sequence.pk}/"
    client.post(url, {"action": "open"})
    client.post(url, {"action": "pause"})
    sequence.refresh_from_db()
    assert sequence.status == Sequence.Status.PAUSED and sequence.running_since is None
    client.post(url, {"action": "open"})
    client.post(url, {"action": "close"})
    sequence.refresh_from_db()
    assert sequence.status == Sequence.Status.CLOSED and sequence.closed_at is not None
    page = client.get(f"/ateliers/{agents_workshop.pk}/console/").content.decode()
    assert "Rouvrir" in page and "sur 45 minutes prévues" in page


def test_moderation_and_paper_fallback_from_the_console(client, agents_workshop, agents, facilitator):
    sequence = open_(agents_workshop, Activity.QUALITIES)
    client.force_login(facilitator)
    client.post(
        f"/ateliers/{agents_workshop.pk}/console/papier/",
        {"participant": agents[3].pk, "text": "ecoute", "key": "paper-1"},
    )
    client.post(
        f"/ateliers/{agents_workshop.pk}/console/papier/",
        {"participant": agents[2].pk, "text": "écoute", "key": "paper-2"},
    )
    first, second = Quality.objects.order_by("pk")
    assert first.entered_by_facilitator and first.sequence == sequence
    assert Attendance.objects.get(participant=agents[3]).mode == Attendance.Mode.PAPER
    base = f"/ateliers/{agents_workshop.pk}/console"
    client.post(f"{base}/qualite/{first.pk}/moderer/", {"action": "reword", "text": "écoute"})
    client.post(f"{base}/qualite/fusionner/", {"ids": [first.pk, second.pk]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.text, first.original_text) == ("écoute", "ecoute")
    assert second.merged_into == first
    client.post(f"{base}/qualite/{first.pk}/moderer/", {"action": "hide"})
    assert not Quality.objects.visible().exists()



def test_the_consoles_moderation_rows_follow_each_gesture_in_the_consoles_language(
    agents_workshop, agents, facilitator
):
    """Each distinct moderation row is drawn once per process and kept: a gesture shows at once,
    each language keeps its own rows, and each form carries this page's CSRF field."""
    open_(agents_workshop, Activity.QUALITIES)
    client = Client(enforce_csrf_checks=True)
    client.force_login(facilitator)
    attendance = services.attendance_join(workshop=agents_workshop, participant=agents[0])
    sequence = agents_workshop.sequences.get(activity=Activity.QUALITIES)
    quality = services.quality_add(attendance=attendance, sequence=sequence, text="ecoute", key="q1")
    console = f"/ateliers/{agents_workshop.pk}/console/"
    moderate = f"/ateliers/{agents_workshop.pk}/console/qualite/{quality.pk}/moderer/"
    row_form = re.compile(
        rf'<form method="post" action="{moderate}" class="actions">'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">'
    )

    def row_token() -> str:
        page = client.get(console).content.decode()
        found = row_form.search(page)
        assert found, "the row's form carries the page's CSRF field"
        return found[1]

    page = client.get(console).content.decode()
    assert "Relation idéale" in page and ">Masquer</button>" in page
    reword = {"action": "reword", "text": "écoute", "csrfmiddlewaretoken": row_token()}
    assert client.post(moderate, reword).status_code == 302
    page = client.get(console).content.decode()
    assert 'value="écoute"' in page and "mots d'origine : « ecoute »" in page
    client.post(moderate, {"action": "hide", "csrfmiddlewaretoken": row_token()})
    page = client.get(console).content.decode()
    assert ">Réafficher</button>" in page and "masquée" in page
    client.cookies["django_language"] = "en"
    page = client.get(console).content.decode()
    assert "Ideal relationship" in page and ">Show again</button>" in page and "Réafficher" not in page
    client.cookies["django_language"] = "fr"
    page = client.get(console).content.decode()
    assert "Relation idéale" in page and ">Réafficher</button>" in page and "Show again" not in page


# --- Polling -------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 30])
def test_tablet_poll_costs_one_narrow_query_when_nothing_changed(
    client, concertation, django_assert_num_queries, size, monkeypatch
):
    people = live_data.people(concertation, "agents", [f"Agent {n}" for n in range(size)])
    workshop = live_data.workshop(concertation, 1)
    sequence = open_(workshop, Activity.QUALITIES)
    for index, participant in enumerate(people):
        attendance = services.attendance_join(workshop=workshop, participant=participant)
        services.quality_add(attendance=attendance, sequence=sequence, text=f"mot {index}", key=f"k{index}")
    join(client, workshop, people[0])

    # 1. the seven facts of the tablet's state (one narrow JOINed SELECT), 2. the attendance with
    # its workshop and current sequence, to draw the new status
    with django_assert_num_queries(2):
        response = client.get("/atelier/etat/", {"shown": "old"})
    assert response.status_code == 200
    etag = response["ETag"]
    shown = f"{sequence.pk}-{sequence.pole}"
    # The facts were just read by this process (workshops/room_state.py): no query for a 304.
    with django_assert_num_queries(0):
        response = client.get("/atelier/etat/", {"shown": shown}, headers={"If-None-Match": etag})
    assert response.status_code == 304
    # Half a second later, 1. the narrow SELECT alone answers 304.
    monkeypatch.setattr(room_state, "monotonic", lambda: time.monotonic() + 1)
    with django_assert_num_queries(1):
        response = client.get("/atelier/etat/", {"shown": shown}, headers={"If-None-Match": etag})
    assert response.status_code == 304
    services.sequence_pause(sequence=sequence)  # in this process: seen at once
    with django_assert_num_queries(2):
        response = client.get("/atelier/etat/", {"shown": shown}, headers={"If-None-Match": etag})
    assert response.status_code == 200 and "En pause" in response.content.decode()
    assert 'hx-get="/atelier/activite/"' not in response.content.decode()  # nothing typed is wiped


def test_a_change_made_by_another_server_process_reaches_tablets_within_half_a_second(
    client, concertation, monkeypatch
):
    people = live_data.people(concertation, "agents", ["Aline"])
    workshop = live_data.workshop(concertation, 1)
    sequence = open_(workshop, Activity.QUALITIES)
    join(client, workshop, people[0])
    shown = f"{sequence.pk}-{sequence.pole}"
    etag = client.get("/atelier/etat/", {"shown": shown})["ETag"]
    # Another process closes the sequence: this one was not told.
    Sequence.objects.filter(pk=sequence.pk).update(status=Sequence.Status.CLOSED, running_since=None)
    Workshop.objects.filter(pk=workshop.pk).update(state_version=F("state_version") + 1)
    assert client.get("/atelier/etat/", {"shown": shown}, headers={"If-None-Match": etag}).status_code == 304
    monkeypatch.setattr(room_state, "monotonic", lambda: time.monotonic() + room_state.WORKSHOP_SECONDS)
    response = client.get("/atelier/etat/", {"shown": shown}, headers={"If-None-Match": etag})
    assert response.status_code == 200 and response["ETag"] != etag


@pytest.mark.parametrize("size", [2, 20])
def test_projector_and_console_polls_have_constant_query_counts(
    client, concertation, facilitator, django_assert_num_queries, size
):
    people = live_data.people(concertation, "agents", [f"Agent {n}" for n in range(size)])
    workshop = live_data.workshop(concertation, 1)
    sequence = open_(workshop, Activity.QUALITIES)
    for index, participant in enumerate(people):
        attendance = services.attendance_join(workshop=workshop, participant=participant)
        services.quality_add(
            attendance=attendance, sequence=sequence, text=f"mot {index % 5}", key=f"k{index}"
        )
    client.force_login(facilitator)
    board = f"/ateliers/{workshop.pk}/projection/tableau/"
    etag = client.get(board)["ETag"]
    # 1. session, 2. user, 3. the workshop the user leads (permission and row in one query)
    with django_assert_num_queries(3):
        assert client.get(board, headers={"If-None-Match": etag}).status_code == 304
    # + 4. the current sequence with its voters, 5. the visible qualities of the sequence
    with django_assert_num_queries(5):
        assert client.get(board).status_code == 200
    live = f"/ateliers/{workshop.pk}/console/direct/"
    etag = client.get(live)["ETag"]
    with django_assert_num_queries(3):
        assert client.get(live, headers={"If-None-Match": etag}).status_code == 304
    # + 4. every live figure in one statement (attendance, contributors, voters, walk-ins waiting,
    # the current sequence and how many contributions it has; the table is drawn with the page)
    with django_assert_num_queries(4):
        assert client.get(live).status_code == 200


@pytest.mark.parametrize("size", [2, 25])
def test_adding_a_quality_costs_the_same_queries_however_many_words_are_on_screen(
    client, concertation, django_assert_num_queries, size
):
    people = live_data.people(concertation, "agents", ["Aline", "Bruno"])
    workshop = live_data.workshop(concertation, 1)
    sequence = open_(workshop, Activity.QUALITIES)
    others = services.attendance_join(workshop=workshop, participant=people[1])
    for n in range(size):
        services.quality_add(attendance=others, sequence=sequence, text=f"mot {n}", key=f"o{n}")
    mine = join(client, workshop, people[0])
    for n in range(size):
        services.quality_add(attendance=mine, sequence=sequence, text=f"le mien {n}", key=f"m{n}")
    url = f"/atelier/sequences/{sequence.pk}/qualites/"
    # 1. the device's place with its workshop, current sequence and participant's name; around a
    # savepoint (the test's transaction; BEGIN and COMMIT in production): 2. lock the place,
    # 3. the sequence read after the lock, 4. record the idempotency key (2–4 in one round trip
    # on PostgreSQL), 5. the quality, 6. bump the room's content version; then 7. the
    # participant's own words of this pole, to redraw them. None of them compiled per request.
    expected = 7 if connection.vendor == "postgresql" else 9
    with django_assert_num_queries(expected):
        response = client.post(url, {"text": "respect", "key": "new"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Ce que vous avez écrit ({size + 1})" in page and "respect" in page
    assert "mot 0" not in page  # another participant's words are theirs
    # Redrawing the activity alone: the place, then the words.
    with django_assert_num_queries(2):
        assert client.get("/atelier/activite/", headers={"HX-Request": "true"}).status_code == 200


@pytest.mark.parametrize("size", [3, 25])
def test_vote_endpoint_query_count_does_not_grow_with_voters_and_items(
    client, concertation, django_assert_num_queries, size
):
    people = live_data.mixed_people(
        concertation, agents=[f"A{n}" for n in range(size)], users=[f"U{n}" for n in range(size)]
    )
    workshop = live_data.workshop(concertation, 3)
    items = live_data.ballot(workshop, texts=[f"Qualité {n}" for n in range(size)])
    sequence = open_(workshop, Activity.VOTE_QUALITIES)
    for participant in people[1:]:
        attendance = services.attendance_join(workshop=workshop, participant=participant)
        services.vote_cast(place=attendance.token, item_id=items[0].pk, points=1, key=f"k{participant.pk}")
    join(client, workshop, people[0])
    url = f"/atelier/sequences/{sequence.pk}/vote/"
    # vote_cast, around a savepoint here (the test's transaction; in production BEGIN and COMMIT
    # ride with the two batches: tests/test_batched_transaction.py):
    # 1. lock the device's place (with its workshop's current sequence), 2. the ballot item with
    # its sequence, 3. record the idempotency key (one INSERT … ON CONFLICT), 4. the participant's
    # points; then 5. put their points on the item, 6. bump the workshop's content version (last,
    # so the room is not queued). On PostgreSQL 1–4 go in one round trip and 5–6 in another
    # (precompiled.batch). The view reads nothing itself; the answer is drawn from what
    # vote_cast read: no query.
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 8):
        response = client.post(
            url, {"item": items[0].pk, "points": 2, "key": "tap"}, headers={"HX-Request": "true"}
        )
    page = response.content.decode()
    assert "Il vous reste 3 points sur 5." in page
    # Only the item voted on comes back (and the points left, out of band), not the whole ballot.
    assert page.count('class="ballot-item') == 1 and f'id="ballot-item-{items[0].pk}"' in page
    assert 'hx-swap-oob="innerHTML"' in page


def test_every_ballot_drawn_carries_fresh_keys_and_a_page_without_htmx_its_csrf_field(client, mixed):
    workshop, people, items = mixed
    join(client, workshop, people[0])
    open_(workshop, Activity.VOTE_QUALITIES)
    keys = re.compile(r'name="key" value="([^"]+)"')
    first = client.get("/atelier/activite/", headers={"HX-Request": "true"}).content.decode()
    second = client.get("/atelier/activite/", headers={"HX-Request": "true"}).content.decode()
    assert len(set(keys.findall(first))) == 2 * len(items)  # one per « − » and « + »
    assert not set(keys.findall(first)) & set(keys.findall(second))  # a row drawn again: new keys
    assert keys.sub("", first) == keys.sub("", second) and "csrfmiddlewaretoken" not in first
    assert "\x00" not in first
    # Without JavaScript, each form posts its own CSRF field: a strict client gets its point.
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    page = strict.get("/atelier/").content.decode()
    forms = re.findall(r'<form method="post" action="[^"]+/vote/".*?</form>', page, re.S)
    assert len(forms) == 2 * len(items)
    plus = next(form for form in forms if f'id="vote-{items[0].pk}-add"' in form)
    data = dict(re.findall(r'name="(csrfmiddlewaretoken|item|key)" value="([^"]+)"', plus)) | {"points": 1}
    response = strict.post(f"/atelier/sequences/{items[0].sequence_id}/vote/", data)
    assert response.status_code == 302
    assert Vote.objects.get(ballot_item=items[0], participant=people[0]).points == 1


def test_spending_the_last_point_redraws_the_whole_ballot_so_every_plus_is_disabled(client, mixed):
    workshop, people, items = mixed
    join(client, workshop, people[0])
    sequence = open_(workshop, Activity.VOTE_QUALITIES)
    url = f"/atelier/sequences/{sequence.pk}/vote/"
    htmx = {"HX-Request": "true"}
    client.post(url, {"item": items[0].pk, "points": 3, "key": "a"}, headers=htmx)
    response = client.post(url, {"item": items[1].pk, "points": 2, "key": "b"}, headers=htmx)
    page = response.content.decode()
    assert response["HX-Retarget"] == "#activity"
    assert page.count('class="ballot-item') == len(items)
    assert page.count('class="vote-button" id') == len(items)
    assert all(f'id="vote-{item.pk}-add" disabled' in page for item in items)
    # Giving one back re-enables the others: the whole ballot again.
    response = client.post(url, {"item": items[0].pk, "points": 2, "key": "c"}, headers=htmx)
    page = response.content.decode()
    assert response["HX-Retarget"] == "#activity"
    assert f'id="vote-{items[2].pk}-add" aria' in page
    # A refusal is drawn over the whole activity too, never inside one row.
    response = client.post(url, {"item": items[1].pk, "points": 4, "key": "d"}, headers=htmx)
    assert response.status_code == 409 and response["HX-Retarget"] == "#activity"


def test_a_tap_answers_in_the_tablets_language_with_who_carries_the_proposal(client, concertation):
    """The row and the « points left » line of a tap are drawn once per process and kept: each
    language keeps its own."""
    people = live_data.mixed_people(concertation)
    workshop = live_data.workshop(concertation, 3)
    texts = ("Accueil sans rendez-vous", "Horaires")
    items = live_data.ballot(workshop, Activity.VOTE_PROPOSALS, texts=texts)
    BallotItem.objects.filter(pk=items[0].pk).update(carried_by=Carrier.AGENTS)
    join(client, workshop, people[0])
    sequence = open_(workshop, Activity.VOTE_PROPOSALS)
    url = f"/atelier/sequences/{sequence.pk}/vote/"
    htmx = {"HX-Request": "true"}

    def tap(points: int, key: str) -> str:
        answer = client.post(url, {"item": items[0].pk, "points": points, "key": key}, headers=htmx)
        return answer.content.decode()

    french = tap(1, "fr-1")
    assert "Les agents" in french and "Il vous reste 4 points sur 5." in french
    client.cookies["django_language"] = "en"
    for points, key in ((2, "en-2"), (1, "en-1")):  # the second: the same row and count as in French
        english = tap(points, key)
        assert "The agents" in english and f"You have {5 - points} points left out of 5." in english
        assert "Les agents" not in english and "Il vous reste" not in english
    client.cookies["django_language"] = "fr"
    french = tap(2, "fr-2")  # the row and count already drawn in English
    assert "Les agents" in french and "Il vous reste 3 points sur 5." in french


@pytest.mark.parametrize(
    ("tap", "status", "said"),
    [
        ({"item": "abc", "points": "1", "key": "k1"}, 422, "ne fait pas partie de ce vote"),
        ({"points": "1", "key": "k2"}, 422, "ne fait pas partie de ce vote"),
        ({"item": "{item}", "points": "-1", "key": "k3"}, 422, "Nombre de points invalide."),
        ({"item": "{item}", "points": "2.5", "key": "k4"}, 422, "Nombre de points invalide."),
        ({"item": "{item}", "points": "101", "key": "k5"}, 422, "Nombre de points invalide."),
        ({"item": "{item}", "points": "1"}, 409, "Le formulaire a expiré"),
        ({"item": "{item}", "points": "1", "key": "   "}, 409, "Le formulaire a expiré"),
        ({"item": "{item}", "points": "1", "key": "k\x00"}, 409, "Le formulaire a expiré"),
        ({"item": "{item}", "points": "1", "key": "k" * 65}, 409, "Le formulaire a expiré"),
    ],
)
def test_an_unreadable_tap_is_refused_in_french_and_keeps_the_ballot(client, mixed, tap, status, said):
    workshop, people, items = mixed
    join(client, workshop, people[0])
    sequence = open_(workshop, Activity.VOTE_QUALITIES)
    url = f"/atelier/sequences/{sequence.pk}/vote/"
    client.post(url, {"item": items[0].pk, "points": 2, "key": "first"}, headers={"HX-Request": "true"})
    sent = {name: value.replace("{item}", str(items[1].pk)) for name, value in tap.items()}
    response = client.post(url, sent, headers={"HX-Request": "true"})
    assert response.status_code == status
    page = response.content.decode()
    assert said in page and "Il vous reste 3 points sur 5." in page
    assert dict(Vote.objects.values_list("ballot_item_id", "points")) == {items[0].pk: 2}
